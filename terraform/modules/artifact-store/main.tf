# The artifact bucket: private by every switch S3 has (public access blocked, ACLs off),
# encrypted with its own KMS key, versioned, TLS only, and tidied by lifecycle rules.
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

resource "aws_kms_key" "artifacts" {
  description             = "Grimoire artifacts in s3://${var.bucket_name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json

  tags = var.tags
}

resource "aws_kms_alias" "artifacts" {
  name          = "alias/${var.bucket_name}"
  target_key_id = aws_kms_key.artifacts.key_id
}

resource "aws_s3_bucket" "artifacts" {
  # checkov:skip=CKV_AWS_144: cross-region replication is a disaster-recovery choice per organisation; versioning and KMS already protect against loss and tampering here
  # checkov:skip=CKV2_AWS_62: nothing consumes bucket events; Grimoire's own webhooks announce new versions
  # checkov:skip=CKV_AWS_18: access logging goes to a bucket the organisation owns (var.access_log_bucket); aws_s3_bucket_logging below enables it when that is set
  bucket = var.bucket_name

  tags = var.tags
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.artifacts.arn
    }
    # One KMS call per bucket key period instead of one per object: artifacts come in thousands.
    bucket_key_enabled = true
  }
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.artifacts.arn, "${aws_s3_bucket.artifacts.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = data.aws_iam_policy_document.bucket.json

  depends_on = [aws_s3_bucket_public_access_block.artifacts]
}

resource "aws_s3_bucket_lifecycle_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_days
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  dynamic "rule" {
    for_each = length(var.transitions) > 0 ? [var.transitions] : []
    content {
      id     = "transitions"
      status = "Enabled"
      filter {
        prefix = "${var.prefix}/"
      }
      dynamic "transition" {
        for_each = rule.value
        content {
          days          = transition.value.days
          storage_class = transition.value.storage_class
        }
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.artifacts]
}

# The web UI downloads large artifacts straight from S3 by presigned URL.
resource "aws_s3_bucket_cors_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  cors_rule {
    allowed_methods = ["GET", "HEAD"]
    allowed_origins = var.ui_origins
    allowed_headers = ["Range"]
    expose_headers  = ["Content-Length", "Content-Range", "ETag"]
    max_age_seconds = 3600
  }
}

resource "aws_s3_bucket_logging" "artifacts" {
  count = var.access_log_bucket == "" ? 0 : 1

  bucket        = aws_s3_bucket.artifacts.id
  target_bucket = var.access_log_bucket
  target_prefix = "s3/${var.bucket_name}/"
}
