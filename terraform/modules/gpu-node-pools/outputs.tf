output "pools" {
  description = "The pools as given (the kueue module's input: its quotas are derived from these maxima)"
  value       = var.pools
}

output "node_labels" {
  description = "Labels on each pool's nodes, by pool name (grimoire.dev/gpu-type selects the GPU type)"
  value       = local.node_labels
}

output "gpu_type_label" {
  description = "The node label whose value is the pool's gpu_type (Kueue ResourceFlavors select on it)"
  value       = local.gpu_type_label
}

output "gpu_tolerations" {
  description = "Tolerations a pod needs to land on a GPU node"
  value       = [local.gpu_toleration]
}

output "node_group_autoscaling_group_names" {
  description = "Auto Scaling groups of the managed node groups, by pool (empty with Karpenter)"
  value       = { for name, group in module.managed_node_group : name => group.node_group_autoscaling_group_names }
}
