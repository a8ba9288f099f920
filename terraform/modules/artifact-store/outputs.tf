output "bucket_name" {
  description = "Name of the artifact bucket"
  value       = aws_s3_bucket.artifacts.id
}

output "bucket_arn" {
  description = "ARN of the artifact bucket"
  value       = aws_s3_bucket.artifacts.arn
}

output "prefix" {
  description = "Key prefix of Grimoire's artifacts"
  value       = var.prefix
}

output "artifacts_root" {
  description = "The chart's artifactStore.root: s3://<bucket>/<prefix>"
  value       = "s3://${aws_s3_bucket.artifacts.id}/${var.prefix}"
}

output "kms_key_arn" {
  description = "KMS key of the bucket (writers and readers need it)"
  value       = aws_kms_key.artifacts.arn
}

output "region" {
  description = "Region of the bucket"
  value       = aws_s3_bucket.artifacts.region
}
