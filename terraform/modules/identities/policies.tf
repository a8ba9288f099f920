# Least privilege on the prefix: every workload's role reads and lists under it and may use the
# bucket key (prefix_read); each adds only where its work lands: the artifacts proxy writes and
# deletes anywhere under the prefix (and lists its multipart uploads), the jobs launcher writes
# under jobs/ (a job's logs and manifests), training pods write checkpoints. The documents stay
# apart, with literal actions, so that checkov's IAM checks read every action of every role.
locals {
  prefix_objects = "${var.bucket_arn}/${var.prefix}/*"
  # The s3:prefix values a listing may ask for: the prefix and what lies under it.
  prefix_listings = ["${var.prefix}/*", var.prefix]
}

data "aws_iam_policy_document" "prefix_read" {
  statement {
    sid       = "ReadUnderPrefix"
    actions   = ["s3:GetObject"]
    resources = [local.prefix_objects]
  }
  statement {
    sid       = "ListPrefix"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = local.prefix_listings
    }
  }
  statement {
    sid       = "BucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.bucket_kms_key_arn]
  }
}

data "aws_iam_policy_document" "artifacts" {
  source_policy_documents = [data.aws_iam_policy_document.prefix_read.json]

  statement {
    sid       = "WriteUnderPrefix"
    actions   = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = [local.prefix_objects]
  }
  statement {
    sid       = "ListUploadsUnderPrefix"
    actions   = ["s3:ListBucketMultipartUploads"]
    resources = [var.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = local.prefix_listings
    }
  }
}

data "aws_iam_policy_document" "jobs" {
  source_policy_documents = [data.aws_iam_policy_document.prefix_read.json]

  statement {
    sid       = "WriteJobFiles"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arn}/${var.prefix}/jobs/*"]
  }
}

data "aws_iam_policy_document" "training" {
  source_policy_documents = [data.aws_iam_policy_document.prefix_read.json]

  statement {
    sid       = "WriteCheckpoints"
    actions   = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arn}/${var.prefix}/checkpoints/*"]
  }
}

data "aws_iam_policy_document" "external_secrets" {
  count = var.external_secrets_role ? 1 : 0

  statement {
    sid       = "ReadDatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [var.database_secret_arn]
  }
  statement {
    sid       = "DecryptDatabaseSecret"
    actions   = ["kms:Decrypt"]
    resources = [var.database_secret_kms_key_arn]
  }
}
