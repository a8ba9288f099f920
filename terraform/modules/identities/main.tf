# One role per workload, each trusted only by its own ServiceAccount: through EKS Pod Identity
# associations, or through IRSA (the cluster's OIDC provider, subject pinned to namespace/name).
locals {
  accounts = var.service_accounts

  workloads = merge(
    {
      artifacts = { namespace = local.accounts.grimoire_namespace, service_account = local.accounts.artifacts, policy = data.aws_iam_policy_document.artifacts.json }
      jobs      = { namespace = local.accounts.grimoire_namespace, service_account = local.accounts.jobs, policy = data.aws_iam_policy_document.jobs.json }
      training  = { namespace = local.accounts.training_namespace, service_account = local.accounts.training, policy = data.aws_iam_policy_document.training.json }
    },
    var.external_secrets_role ? {
      external-secrets = {
        namespace       = local.accounts.external_secrets.namespace
        service_account = local.accounts.external_secrets.name
        policy          = data.aws_iam_policy_document.external_secrets[0].json
      }
    } : {},
  )
}

data "aws_iam_policy_document" "pod_identity_trust" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "irsa_trust" {
  for_each = var.mechanism == "irsa" ? local.workloads : {}

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider}:sub"
      values   = ["system:serviceaccount:${each.value.namespace}:${each.value.service_account}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "workload" {
  for_each = local.workloads

  name = "${var.name}-${each.key}"
  assume_role_policy = (
    var.mechanism == "irsa"
    ? data.aws_iam_policy_document.irsa_trust[each.key].json
    : data.aws_iam_policy_document.pod_identity_trust.json
  )

  tags = var.tags
}

resource "aws_iam_role_policy" "workload" {
  for_each = local.workloads

  name   = each.key
  role   = aws_iam_role.workload[each.key].id
  policy = each.value.policy
}

resource "aws_eks_pod_identity_association" "workload" {
  for_each = var.mechanism == "pod-identity" ? local.workloads : {}

  cluster_name    = var.cluster_name
  namespace       = each.value.namespace
  service_account = each.value.service_account
  role_arn        = aws_iam_role.workload[each.key].arn

  tags = var.tags
}
