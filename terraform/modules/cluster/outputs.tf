output "cluster_name" {
  description = "Name of the EKS cluster"
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "URL of the Kubernetes API server (for the kubernetes and helm providers)"
  value       = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA certificate of the API server"
  value       = module.eks.cluster_certificate_authority_data
}

output "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider (for IRSA roles)"
  value       = module.eks.oidc_provider_arn
}

output "oidc_provider" {
  description = "The OIDC issuer without https:// (the IRSA trust condition's key prefix)"
  value       = module.eks.oidc_provider
}

output "node_security_group_id" {
  description = "Security group shared by every node; the database admits only this group"
  value       = module.eks.node_security_group_id
}

output "node_iam_role_arn" {
  description = "IAM role of the system node group"
  value       = module.eks.eks_managed_node_groups["system"].iam_role_arn
}

output "cluster_primary_security_group_id" {
  description = "The security group EKS created for the cluster (node groups outside this module join it)"
  value       = module.eks.cluster_primary_security_group_id
}

output "cluster_service_cidr" {
  description = "CIDR of the cluster's Service IPs (AL2023 node groups outside this module need it)"
  value       = module.eks.cluster_service_cidr
}

output "kubernetes_version" {
  description = "Kubernetes minor version of the control plane"
  value       = var.kubernetes_version
}
