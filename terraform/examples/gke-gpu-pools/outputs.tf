output "cluster_name" {
  description = "Name of the GKE cluster"
  value       = module.gke.name
}

output "kueue_pools" {
  description = "The pools in the kueue module's input shape (max_count is per zone, hence times the zones)"
  value = {
    for name, pool in var.gpu_pools : name => {
      gpu_type            = trimprefix(trimprefix(pool.accelerator_type, "nvidia-"), "tesla-")
      max_size            = pool.max_count * length(var.zones)
      gpus_per_node       = pool.accelerator_count
      vcpus_per_node      = pool.vcpus_per_node
      memory_gib_per_node = pool.memory_gib_per_node
    }
  }
}
