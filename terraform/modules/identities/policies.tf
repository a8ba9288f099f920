# Least privilege on the prefix: the artifacts proxy reads, writes, lists and deletes under it;
# the jobs launcher only reads there (a job's inputs) and writes under jobs/ (its logs and
# manifests); training pods read the artifacts (datasets, base models) and write checkpoints.
locals {
  prefix_objects = "${var.bucket_arn}/${var.prefix}/*"
}

data "aws_iam_policy_document" "artifacts" {
  statement {
    sid       = "ObjectsUnderPrefix"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = [local.prefix_objects]
  }
  statement {
    sid       = "ListPrefix"
    actions   = ["s3:ListBucket", "s3:ListBucketMultipartUploads"]
    resources = [var.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.prefix}/*", var.prefix]
    }
  }
  statement {
    sid       = "BucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.bucket_kms_key_arn]
  }
}

data "aws_iam_policy_document" "jobs" {
  statement {
    sid       = "ReadUnderPrefix"
    actions   = ["s3:GetObject"]
    resources = [local.prefix_objects]
  }
  statement {
    sid       = "WriteJobFiles"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arn}/${var.prefix}/jobs/*"]
  }
  statement {
    sid       = "ListPrefix"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.prefix}/*", var.prefix]
    }
  }
  statement {
    sid       = "BucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.bucket_kms_key_arn]
  }
}

data "aws_iam_policy_document" "training" {
  statement {
    sid       = "ReadUnderPrefix"
    actions   = ["s3:GetObject"]
    resources = [local.prefix_objects]
  }
  statement {
    sid       = "WriteCheckpoints"
    actions   = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arn}/${var.prefix}/checkpoints/*"]
  }
  statement {
    sid       = "ListPrefix"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.prefix}/*", var.prefix]
    }
  }
  statement {
    sid       = "BucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.bucket_kms_key_arn]
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
