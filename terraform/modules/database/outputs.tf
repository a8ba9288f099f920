locals {
  endpoint = var.engine_mode == "aurora" ? aws_rds_cluster.aurora[0].endpoint : aws_db_instance.postgres[0].address
  port     = var.engine_mode == "aurora" ? aws_rds_cluster.aurora[0].port : aws_db_instance.postgres[0].port
  secret   = var.engine_mode == "aurora" ? aws_rds_cluster.aurora[0].master_user_secret : aws_db_instance.postgres[0].master_user_secret
}

output "endpoint" {
  description = "Host name of the database (the Aurora writer endpoint)"
  value       = local.endpoint
}

output "port" {
  description = "Port PostgreSQL listens on"
  value       = local.port
}

output "database_name" {
  description = "Name of Grimoire's database"
  value       = var.database_name
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret RDS keeps the master credentials in (JSON with username and password)"
  value       = local.secret[0].secret_arn
}

output "kms_key_arn" {
  description = "KMS key encrypting the storage and the master secret (readers of the secret need kms:Decrypt on it)"
  value       = aws_kms_key.database.arn
}

output "security_group_id" {
  description = "The database's security group"
  value       = aws_security_group.database.id
}
