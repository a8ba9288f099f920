# The GKE variant of the GPU pools: terraform-google-modules node pools with an accelerator,
# GKE-installed drivers (gpu_driver_version), spot or on-demand, autoscaling from zero, and the
# same grimoire.dev/gpu-type label and nvidia.com/gpu NoSchedule taint as on EKS, so the kueue
# module's ResourceFlavors select them unchanged.
locals {
  labels = merge(var.tags, { application = "grimoire", managed-by = "terraform" })
}

module "gke" {
  # checkov:skip=CKV_TF_1: a registry module pinned by version constraint (registry versions are immutable releases); a commit hash applies to git sources
  source  = "terraform-google-modules/kubernetes-engine/google//modules/private-cluster"
  version = "~> 44.0"

  project_id        = var.project_id
  name              = "grimoire"
  region            = var.region
  zones             = var.zones
  network           = var.network
  subnetwork        = var.subnetwork
  ip_range_pods     = var.ip_range_pods
  ip_range_services = var.ip_range_services

  enable_private_nodes     = true
  enable_private_endpoint  = true
  remove_default_node_pool = true
  cluster_resource_labels  = local.labels

  node_pools = concat(
    [{
      name         = "system"
      machine_type = "e2-standard-4"
      min_count    = 1
      max_count    = 3
      auto_upgrade = true
    }],
    [
      for name, pool in var.gpu_pools : {
        name               = name
        machine_type       = pool.machine_type
        accelerator_type   = pool.accelerator_type
        accelerator_count  = pool.accelerator_count
        gpu_driver_version = pool.gpu_driver_version
        spot               = pool.spot
        disk_size_gb       = pool.disk_size_gb
        autoscaling        = true
        min_count          = 0
        max_count          = pool.max_count
        initial_node_count = 0
        auto_upgrade       = true
      }
    ],
  )

  node_pools_labels = merge(
    { all = local.labels },
    { for name, pool in var.gpu_pools : name => { "grimoire.dev/gpu-type" = trimprefix(trimprefix(pool.accelerator_type, "nvidia-"), "tesla-"), "grimoire.dev/pool" = name } },
  )

  node_pools_taints = {
    for name, _ in var.gpu_pools : name => [{
      key    = "nvidia.com/gpu"
      value  = "true"
      effect = "NO_SCHEDULE"
    }]
  }
}
