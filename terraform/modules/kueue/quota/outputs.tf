output "gpu_types" {
  description = "The GPU types (one Kueue ResourceFlavor each), sorted"
  value       = local.gpu_types
}

output "capacity" {
  description = "Per GPU type: gpus, vcpus and memory_gib of all its pools at their maxima"
  value       = local.capacity
}

output "quotas" {
  description = "Per team, per GPU type: its nominal gpus, vcpus and memory_gib (summing over teams gives capacity)"
  value       = local.quotas
}
