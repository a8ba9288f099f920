# Kueue admits a training Job only when its team's queue has quota on some GPU flavor; the
# flavor's node labels and tolerations steer the admitted pods onto that flavor's pools. All
# team queues share one cohort, so idle quota is borrowed and reclaimed.
module "quota" {
  source = "./quota"

  pools = var.pools
  teams = var.teams
}

locals {
  cohort = "gpu"
}

resource "helm_release" "kueue" {
  name             = "kueue"
  namespace        = "kueue-system"
  create_namespace = true
  repository       = "oci://registry.k8s.io/kueue/charts"
  chart            = "kueue"
  version          = var.kueue_version
}

resource "kubernetes_namespace_v1" "training" {
  count = var.create_training_namespace ? 1 : 0

  metadata {
    name = var.training_namespace
  }
}

resource "kubernetes_manifest" "resource_flavor" {
  for_each = toset(module.quota.gpu_types)

  manifest = {
    apiVersion = "kueue.x-k8s.io/v1beta1"
    kind       = "ResourceFlavor"
    metadata   = { name = each.key }
    spec = {
      nodeLabels  = { (var.gpu_type_label) = each.key }
      tolerations = var.gpu_tolerations
    }
  }

  depends_on = [helm_release.kueue]
}

resource "kubernetes_manifest" "cluster_queue" {
  for_each = module.quota.quotas

  manifest = {
    apiVersion = "kueue.x-k8s.io/v1beta1"
    kind       = "ClusterQueue"
    metadata   = { name = each.key }
    spec = {
      cohort = local.cohort
      namespaceSelector = {
        matchLabels = { "kubernetes.io/metadata.name" = var.training_namespace }
      }
      preemption = {
        reclaimWithinCohort = var.preemption_within_cohort
        withinClusterQueue  = "LowerPriority"
      }
      resourceGroups = [{
        coveredResources = ["cpu", "memory", "nvidia.com/gpu"]
        flavors = [
          for gpu_type in module.quota.gpu_types : {
            name = gpu_type
            resources = [
              { name = "cpu", nominalQuota = tostring(each.value[gpu_type].vcpus) },
              { name = "memory", nominalQuota = "${each.value[gpu_type].memory_gib}Gi" },
              { name = "nvidia.com/gpu", nominalQuota = tostring(each.value[gpu_type].gpus) },
            ]
          }
        ]
      }]
    }
  }

  depends_on = [kubernetes_manifest.resource_flavor]
}

resource "kubernetes_manifest" "local_queue" {
  for_each = var.teams

  manifest = {
    apiVersion = "kueue.x-k8s.io/v1beta1"
    kind       = "LocalQueue"
    metadata   = { name = each.key, namespace = var.training_namespace }
    spec       = { clusterQueue = each.key }
  }

  depends_on = [kubernetes_manifest.cluster_queue, kubernetes_namespace_v1.training]
}
