variable "name" {
  description = "Release name and the chart's fullnameOverride: ServiceAccounts are <name>-<component> (the identities module's defaults assume grimoire)"
  type        = string
  default     = "grimoire"
}

variable "namespace" {
  description = "Namespace of the release"
  type        = string
  default     = "grimoire"
}

variable "create_namespace" {
  description = "Create the namespace (false when it already exists)"
  type        = bool
  default     = true
}

variable "chart_path" {
  description = "Path to the helm/grimoire chart (or a chart reference a repository serves)"
  type        = string
  default     = null
}

variable "image" {
  description = "The Grimoire image built from the repository's Containerfile"
  type = object({
    repository = string
    tag        = optional(string, "")
    digest     = optional(string, "")
  })
}

variable "host" {
  description = "Host name clients reach Grimoire at (the Ingress host; MLFLOW_TRACKING_URI is https://<host>)"
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for host; the ALB terminates TLS with it"
  type        = string
}

variable "load_balancer_security_group_id" {
  description = "Security group the ALB gets (the network module's; 443 from anywhere)"
  type        = string
}

variable "load_balancer_scheme" {
  description = "internet-facing or internal"
  type        = string
  default     = "internet-facing"

  validation {
    condition     = contains(["internet-facing", "internal"], var.load_balancer_scheme)
    error_message = "load_balancer_scheme: internet-facing or internal."
  }
}

variable "database" {
  description = "Where the database is and the Secrets Manager secret holding its credentials (the database module's outputs)"
  type = object({
    endpoint   = string
    port       = optional(number, 5432)
    name       = string
    secret_arn = string
  })
}

variable "install_external_secrets" {
  description = "Install External Secrets Operator (false when the cluster already runs it)"
  type        = bool
  default     = true
}

variable "external_secrets_version" {
  description = "Version of the external-secrets Helm chart"
  type        = string
  default     = "0.19.2"
}

variable "artifacts" {
  description = "The artifact store: s3://bucket/prefix, its region, and the artifacts ServiceAccount's annotations (the IRSA role ARN; empty with Pod Identity)"
  type = object({
    root                        = string
    region                      = string
    service_account_annotations = optional(map(string), {})
  })
}

variable "oidc" {
  description = "The identity provider; the client secret lives in an existing Kubernetes Secret, never in Terraform"
  type = object({
    issuer             = string
    client_id          = string
    client_secret_name = string
    client_secret_key  = optional(string, "clientSecret")
    audience           = optional(string, "grimoire")
    groups_claim       = optional(string, "groups")
    admin_groups       = optional(list(string), [])
  })
}

variable "webhooks_secret" {
  description = "Existing Secret with the Fernet key that encrypts webhook signing secrets"
  type = object({
    name = string
    key  = optional(string, "encryptionKey")
  })
}

variable "replicas" {
  description = "Pods per component (the chart's <component>.replicas)"
  type        = number
  default     = 2
}
