# The alternative to managed node groups: Karpenter picks any instance of the pool's GPU
# families, and each NodePool's limits are the pool's capacity (max_size times the per-node
# resources), the same numbers the kueue module turns into ClusterQueue quotas.
module "karpenter" {
  # checkov:skip=CKV_TF_1: a registry module pinned by version constraint (registry versions are immutable releases); a commit hash applies to git sources
  source  = "terraform-aws-modules/eks/aws//modules/karpenter"
  version = "~> 21.0"
  count   = var.provisioner == "karpenter" ? 1 : 0

  cluster_name                    = var.cluster_name
  namespace                       = "kube-system"
  create_pod_identity_association = true

  tags = var.tags
}

resource "helm_release" "karpenter" {
  count = var.provisioner == "karpenter" ? 1 : 0

  name       = "karpenter"
  namespace  = "kube-system"
  repository = "oci://public.ecr.aws/karpenter"
  chart      = "karpenter"
  version    = var.karpenter_version

  values = [yamlencode({
    settings = {
      clusterName       = var.cluster_name
      interruptionQueue = module.karpenter[0].queue_name
    }
    nodeSelector = { "grimoire.dev/pool" = "system" }
  })]
}

resource "kubernetes_manifest" "gpu_node_class" {
  count = var.provisioner == "karpenter" ? 1 : 0

  manifest = {
    apiVersion = "karpenter.k8s.aws/v1"
    kind       = "EC2NodeClass"
    metadata   = { name = "gpu" }
    spec = {
      role = module.karpenter[0].node_iam_role_name
      # The al2023 alias resolves to the NVIDIA variant of the AMI for GPU instance types.
      amiSelectorTerms           = [{ alias = "al2023@latest" }]
      subnetSelectorTerms        = [{ tags = { "karpenter.sh/discovery" = var.cluster_name } }]
      securityGroupSelectorTerms = [{ tags = { "karpenter.sh/discovery" = var.cluster_name } }]
      metadataOptions            = { httpTokens = "required", httpPutResponseHopLimit = 1 }
      blockDeviceMappings = [{
        deviceName = "/dev/xvda"
        ebs = {
          volumeSize = "${max([for pool in values(var.pools) : pool.disk_size_gib]...)}Gi"
          volumeType = "gp3"
          encrypted  = true
        }
      }]
      tags = var.tags
    }
  }

  depends_on = [helm_release.karpenter]
}

resource "kubernetes_manifest" "gpu_node_pool" {
  for_each = var.provisioner == "karpenter" ? var.pools : {}

  lifecycle {
    precondition {
      condition     = length(each.value.instance_families) > 0
      error_message = "pools[${each.key}].instance_families: Karpenter needs the GPU instance families to choose from (e.g. [\"g6\"])."
    }
  }

  manifest = {
    apiVersion = "karpenter.sh/v1"
    kind       = "NodePool"
    metadata   = { name = each.key }
    spec = {
      template = {
        metadata = { labels = local.node_labels[each.key] }
        spec = {
          nodeClassRef = { group = "karpenter.k8s.aws", kind = "EC2NodeClass", name = "gpu" }
          taints       = [{ key = local.gpu_taint.key, value = local.gpu_taint.value, effect = "NoSchedule" }]
          requirements = [
            {
              key      = "karpenter.k8s.aws/instance-family"
              operator = "In"
              values   = each.value.instance_families
            },
            {
              key      = "karpenter.sh/capacity-type"
              operator = "In"
              values   = [each.value.capacity_type == "SPOT" ? "spot" : "on-demand"]
            },
          ]
        }
      }
      limits = {
        cpu              = tostring(each.value.max_size * each.value.vcpus_per_node)
        memory           = "${each.value.max_size * each.value.memory_gib_per_node}Gi"
        "nvidia.com/gpu" = tostring(each.value.max_size * each.value.gpus_per_node)
      }
      disruption = {
        consolidationPolicy = "WhenEmpty"
        consolidateAfter    = "5m"
      }
    }
  }

  depends_on = [kubernetes_manifest.gpu_node_class]
}
