variable "name" {
  description = "Name of the cluster, the VPC and prefix of everything else"
  type        = string
  default     = "grimoire"
}

variable "region" {
  description = "AWS region to create everything in"
  type        = string
  default     = "eu-west-1"
}

variable "availability_zones" {
  description = "Zones to spread over (three: the database and the system nodes survive one zone)"
  type        = list(string)
  default     = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}

variable "bucket_name" {
  description = "Name of the artifact bucket (globally unique)"
  type        = string
}

variable "host" {
  description = "Host name of Grimoire (its ACM certificate is certificate_arn)"
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for host"
  type        = string
}

variable "image" {
  description = "The Grimoire image in a registry the cluster pulls from"
  type = object({
    repository = string
    tag        = optional(string, "")
    digest     = optional(string, "")
  })
}

variable "oidc" {
  description = "The identity provider; client_secret_name is a Secret in the grimoire namespace"
  type = object({
    issuer             = string
    client_id          = string
    client_secret_name = string
    admin_groups       = optional(list(string), [])
  })
}

variable "webhooks_secret_name" {
  description = "Secret in the grimoire namespace with the webhook Fernet key under encryptionKey"
  type        = string
}

variable "admin_principal_arn" {
  description = "IAM role or user that administers the cluster"
  type        = string
}

variable "gpu_provisioner" {
  description = "managed-node-groups or karpenter"
  type        = string
  default     = "managed-node-groups"

  validation {
    condition     = contains(["managed-node-groups", "karpenter"], var.gpu_provisioner)
    error_message = "gpu_provisioner: managed-node-groups or karpenter."
  }
}

variable "teams" {
  description = "Teams sharing the GPUs, by name, with their weights"
  type = map(object({
    weight = optional(number, 1)
  }))
  default = {
    research = { weight = 2 }
    product  = { weight = 1 }
  }
}

variable "tags" {
  description = "Tags on every resource (the AWS provider's default_tags and each module's tags)"
  type        = map(string)
  default     = {}
}
