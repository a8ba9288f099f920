data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "key" {
  # A key policy's "*" is the key itself; this is AWS's default statement, which hands the key
  # to the account's IAM policies (so roles get kms:Decrypt through their own policies).
  # checkov:skip=CKV_AWS_111: a key policy applies to its own key only; IAM policies constrain who uses it
  # checkov:skip=CKV_AWS_356: "*" in a key policy means this key, not every resource
  # checkov:skip=CKV_AWS_109: the account root statement is AWS's default key policy, delegating to IAM
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

# One key for the storage, Performance Insights and the master password's secret.
resource "aws_kms_key" "database" {
  description             = "Grimoire PostgreSQL ${var.name}: storage, snapshots, master secret"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json

  tags = var.tags
}

resource "aws_kms_alias" "database" {
  name          = "alias/${var.name}-database"
  target_key_id = aws_kms_key.database.key_id
}
