output "tracking_uri" {
  description = "MLFLOW_TRACKING_URI for every client"
  value       = module.grimoire.tracking_uri
}

output "cluster_name" {
  description = "Name of the EKS cluster (aws eks update-kubeconfig --name ...)"
  value       = module.cluster.cluster_name
}

output "local_queues" {
  description = "LocalQueue per team: label training Jobs kueue.x-k8s.io/queue-name=<queue>"
  value       = module.kueue.local_queues
}

output "gpu_quotas" {
  description = "Per team, per GPU type: nominal gpus, vcpus and memory_gib"
  value       = module.kueue.quotas
}

output "role_arns" {
  description = "IAM roles of the artifacts proxy, the jobs launcher, training pods and External Secrets"
  value       = module.identities.role_arns
}
