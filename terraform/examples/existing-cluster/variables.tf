variable "cluster_name" {
  description = "The EKS cluster the team already runs (with the Pod Identity agent, the AWS Load Balancer Controller and GPU nodes labelled grimoire.dev/gpu-type)"
  type        = string
}

variable "region" {
  description = "AWS region of the cluster"
  type        = string
}

variable "vpc_id" {
  description = "VPC of the cluster"
  type        = string
}

variable "db_subnet_group_name" {
  description = "An existing DB subnet group over private subnets"
  type        = string
}

variable "node_security_group_id" {
  description = "Security group of the cluster's nodes (the only peers of the database)"
  type        = string
}

variable "load_balancer_security_group_id" {
  description = "Security group for the ALB (443 in)"
  type        = string
}

variable "gpu_pools" {
  description = "The GPU capacity the cluster already has, described as the gpu-node-pools module would (the Kueue quotas are derived from it)"
  type = map(object({
    gpu_type            = string
    max_size            = number
    gpus_per_node       = number
    vcpus_per_node      = number
    memory_gib_per_node = number
  }))
}

variable "teams" {
  description = "Teams sharing the GPUs, with their weights"
  type = map(object({
    weight = optional(number, 1)
  }))
}

variable "bucket_name" {
  description = "Name of the artifact bucket to create (globally unique)"
  type        = string
}

variable "host" {
  description = "Host name of Grimoire"
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for host"
  type        = string
}

variable "image" {
  description = "The Grimoire image"
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

variable "install_external_secrets" {
  description = "Install External Secrets Operator (false when the cluster already runs it)"
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
