output "tracking_uri" {
  description = "What clients set MLFLOW_TRACKING_URI to"
  value       = "https://${var.host}"
}

output "namespace" {
  description = "Namespace of the release"
  value       = helm_release.grimoire.namespace
}

output "release_name" {
  description = "Name of the Helm release"
  value       = helm_release.grimoire.name
}

output "database_secret_name" {
  description = "Kubernetes Secret (kept by External Secrets) holding the database URL under the key url"
  value       = local.database_secret_name
}

output "artifacts_service_account" {
  description = "ServiceAccount of the artifacts proxy (the identities module's artifacts role is bound to it)"
  value       = "${var.name}-artifacts"
}
