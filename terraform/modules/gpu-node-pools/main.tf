# GPU capacity that costs nothing while no job runs: every pool's minimum is zero nodes, and
# every GPU node carries the nvidia.com/gpu NoSchedule taint so only pods that tolerate it (the
# ones Kueue admits onto a GPU flavor) land there.
locals {
  gpu_type_label = "grimoire.dev/gpu-type"

  gpu_taint = {
    key    = "nvidia.com/gpu"
    value  = "true"
    effect = "NO_SCHEDULE"
  }

  # What Kubernetes calls the taint's effect; pods and ResourceFlavors tolerate this.
  gpu_toleration = {
    key      = local.gpu_taint.key
    operator = "Equal"
    value    = local.gpu_taint.value
    effect   = "NoSchedule"
  }

  node_labels = {
    for name, pool in var.pools : name => merge(pool.labels, {
      (local.gpu_type_label) = pool.gpu_type
      "grimoire.dev/pool"    = name
    })
  }
}

module "managed_node_group" {
  # checkov:skip=CKV_TF_1: a registry module pinned by version constraint (registry versions are immutable releases); a commit hash applies to git sources
  source   = "terraform-aws-modules/eks/aws//modules/eks-managed-node-group"
  version  = "~> 21.0"
  for_each = var.provisioner == "managed-node-groups" ? var.pools : {}

  name                 = each.key
  cluster_name         = var.cluster_name
  kubernetes_version   = var.kubernetes_version
  cluster_service_cidr = var.cluster_service_cidr

  subnet_ids                        = var.subnet_ids
  cluster_primary_security_group_id = var.cluster_primary_security_group_id
  vpc_security_group_ids            = [var.node_security_group_id]

  ami_type       = "AL2023_x86_64_NVIDIA"
  instance_types = each.value.instance_types
  capacity_type  = each.value.capacity_type

  min_size     = 0
  max_size     = each.value.max_size
  desired_size = 0

  block_device_mappings = {
    root = {
      device_name = "/dev/xvda"
      ebs = {
        volume_size           = each.value.disk_size_gib
        volume_type           = "gp3"
        encrypted             = true
        delete_on_termination = true
      }
    }
  }

  # EFA needs the interfaces and a cluster placement group; only the instance types that have
  # EFA (p4d, p5, ...) may set it.
  enable_efa_support = each.value.efa

  labels = local.node_labels[each.key]
  taints = {
    gpu = local.gpu_taint
  }

  tags = var.tags
}

module "cluster_autoscaler_pod_identity" {
  # checkov:skip=CKV_TF_1: a registry module pinned by version constraint (registry versions are immutable releases); a commit hash applies to git sources
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"
  count   = var.provisioner == "managed-node-groups" ? 1 : 0

  name                             = "${var.cluster_name}-cluster-autoscaler"
  attach_cluster_autoscaler_policy = true
  cluster_autoscaler_cluster_names = [var.cluster_name]

  associations = {
    controller = {
      cluster_name    = var.cluster_name
      namespace       = "kube-system"
      service_account = "cluster-autoscaler"
    }
  }

  tags = var.tags
}

data "aws_region" "current" {}

# Scales each managed node group up from zero when a pod needs it; since 1.24 it reads the
# group's labels and taints from the EKS API, so an empty group is still a candidate.
resource "helm_release" "cluster_autoscaler" {
  count = var.provisioner == "managed-node-groups" ? 1 : 0

  name       = "cluster-autoscaler"
  namespace  = "kube-system"
  repository = "https://kubernetes.github.io/autoscaler"
  chart      = "cluster-autoscaler"
  version    = var.cluster_autoscaler_version

  values = [yamlencode({
    autoDiscovery = { clusterName = var.cluster_name }
    awsRegion     = data.aws_region.current.region
    rbac = {
      serviceAccount = { name = "cluster-autoscaler" }
    }
    extraArgs = {
      "scale-down-unneeded-time"    = "10m"
      "balance-similar-node-groups" = true
    }
    nodeSelector = { "grimoire.dev/pool" = "system" }
  })]

  depends_on = [module.cluster_autoscaler_pod_identity]
}

# Exposes the GPUs as the nvidia.com/gpu resource, on GPU nodes only.
resource "helm_release" "nvidia_device_plugin" {
  name             = "nvidia-device-plugin"
  namespace        = "nvidia-device-plugin"
  create_namespace = true
  repository       = "https://nvidia.github.io/k8s-device-plugin"
  chart            = "nvidia-device-plugin"
  version          = var.nvidia_device_plugin_version

  values = [yamlencode({
    tolerations = [local.gpu_toleration]
    affinity = {
      nodeAffinity = {
        requiredDuringSchedulingIgnoredDuringExecution = {
          nodeSelectorTerms = [{
            matchExpressions = [{ key = local.gpu_type_label, operator = "Exists" }]
          }]
        }
      }
    }
  })]
}
