output "cluster_queues" {
  description = "ClusterQueue names, by team"
  value       = { for team, queue in kubernetes_manifest.cluster_queue : team => queue.manifest.metadata.name }
}

output "local_queues" {
  description = "LocalQueue names in the training namespace, by team (a Job's kueue.x-k8s.io/queue-name label)"
  value       = { for team, queue in kubernetes_manifest.local_queue : team => queue.manifest.metadata.name }
}

output "training_namespace" {
  description = "Namespace the training Jobs run in"
  value       = var.training_namespace
}

output "quotas" {
  description = "Per team, per GPU type: nominal gpus, vcpus and memory_gib (they add up to the pools' maxima)"
  value       = module.quota.quotas
}
