output "tracking_uri" {
  description = "MLFLOW_TRACKING_URI for every client"
  value       = module.grimoire.tracking_uri
}

output "local_queues" {
  description = "LocalQueue per team in the training namespace"
  value       = module.kueue.local_queues
}

output "role_arns" {
  description = "IAM roles of the artifacts proxy, the jobs launcher, training pods and External Secrets"
  value       = module.identities.role_arns
}
