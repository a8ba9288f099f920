output "role_arns" {
  description = "IAM role ARNs by workload: artifacts, jobs, training (and external-secrets unless external_secrets_role is false)"
  value       = { for name, role in aws_iam_role.workload : name => role.arn }
}

output "service_account_annotations" {
  description = "ServiceAccount annotations by workload: the IRSA role-arn annotation, or empty maps with Pod Identity (the association needs none)"
  value = {
    for name, role in aws_iam_role.workload : name => (
      var.mechanism == "irsa" ? { "eks.amazonaws.com/role-arn" = role.arn } : {}
    )
  }
}

output "mechanism" {
  description = "pod-identity or irsa, as chosen"
  value       = var.mechanism
}
