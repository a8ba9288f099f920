variable "name" {
  description = "Prefix of the IAM role names"
  type        = string
}

variable "cluster_name" {
  description = "EKS cluster whose pods assume the roles"
  type        = string
}

variable "mechanism" {
  description = "How pods get the roles: pod-identity (EKS Pod Identity associations) or irsa (IAM roles for service accounts through the cluster's OIDC provider)"
  type        = string
  default     = "pod-identity"

  validation {
    condition     = contains(["pod-identity", "irsa"], var.mechanism)
    error_message = "mechanism: pod-identity or irsa."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider (irsa only)"
  type        = string
  default     = ""
}

variable "oidc_provider" {
  description = "The cluster's OIDC issuer without https:// (irsa only)"
  type        = string
  default     = ""
}

variable "bucket_arn" {
  description = "ARN of the artifact bucket"
  type        = string
}

variable "bucket_kms_key_arn" {
  description = "KMS key of the artifact bucket"
  type        = string
}

variable "prefix" {
  description = "Key prefix of Grimoire's artifacts in the bucket; no role reaches outside it"
  type        = string
}

variable "external_secrets_role" {
  description = "Create the role External Secrets reads the database secret with (known at plan time, unlike the secret's ARN)"
  type        = bool
  default     = true
}

variable "database_secret_arn" {
  description = "Secrets Manager secret with the database credentials, the only one External Secrets may read"
  type        = string
  default     = ""
}

variable "database_secret_kms_key_arn" {
  description = "KMS key encrypting database_secret_arn"
  type        = string
  default     = ""
}

variable "service_accounts" {
  description = "Namespaces and ServiceAccounts of the workloads that get roles"
  type = object({
    grimoire_namespace = optional(string, "grimoire")
    artifacts          = optional(string, "grimoire-artifacts")
    jobs               = optional(string, "grimoire-jobs")
    training_namespace = optional(string, "training")
    training           = optional(string, "training")
    external_secrets = optional(object({
      namespace = optional(string, "external-secrets")
      name      = optional(string, "external-secrets")
    }), {})
  })
  default = {}
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}
