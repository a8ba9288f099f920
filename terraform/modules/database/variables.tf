variable "name" {
  description = "Identifier of the database instance or cluster, and prefix of its companions"
  type        = string
}

variable "engine_mode" {
  description = "rds (one Multi-AZ RDS for PostgreSQL instance) or aurora (an Aurora PostgreSQL cluster with a writer and a reader in another zone)"
  type        = string
  default     = "rds"

  validation {
    condition     = contains(["rds", "aurora"], var.engine_mode)
    error_message = "engine_mode: rds or aurora."
  }
}

variable "engine_version" {
  description = "PostgreSQL major.minor version"
  type        = string
  default     = "16.6"
}

variable "parameter_group_family" {
  description = "Parameter group family matching engine_version (postgres16, aurora-postgresql16)"
  type        = string
  default     = null
}

variable "instance_class" {
  description = "Instance class of the database (of each Aurora instance)"
  type        = string
  default     = "db.r7g.large"
}

variable "allocated_storage_gib" {
  description = "Initial storage in GiB (rds only; Aurora grows by itself)"
  type        = number
  default     = 100
}

variable "max_allocated_storage_gib" {
  description = "Storage autoscaling ceiling in GiB (rds only)"
  type        = number
  default     = 1000
}

variable "database_name" {
  description = "Name of the database Grimoire uses"
  type        = string
  default     = "grimoire"
}

variable "master_username" {
  description = "Master user name (its password is generated and kept by RDS in Secrets Manager)"
  type        = string
  default     = "grimoire"
}

variable "vpc_id" {
  description = "VPC of the database"
  type        = string
}

variable "db_subnet_group_name" {
  description = "DB subnet group over private subnets (the network module's database_subnet_group_name)"
  type        = string
}

variable "allowed_security_group_ids" {
  description = "Security groups that may connect on 5432: the cluster's node security group"
  type        = list(string)
}

variable "backup_retention_days" {
  description = "Days automated backups are kept"
  type        = number
  default     = 14

  validation {
    condition     = var.backup_retention_days >= 1
    error_message = "backup_retention_days: at least 1 (backups stay on)."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the database (turn off deliberately before a destroy)"
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}
