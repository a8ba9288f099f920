variable "bucket_name" {
  description = "Name of the artifact bucket (globally unique)"
  type        = string
}

variable "prefix" {
  description = "Key prefix Grimoire keeps artifacts under (artifactStore.root is s3://<bucket>/<prefix>)"
  type        = string
  default     = "grimoire"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._/-]*[A-Za-z0-9]$", var.prefix)) && !endswith(var.prefix, "/")
    error_message = "prefix: letters, digits and . _ - /, not starting or ending with a slash."
  }
}

variable "ui_origins" {
  description = "Origins of the web UI allowed to fetch presigned downloads (CORS), e.g. https://ml.example.com"
  type        = list(string)
}

variable "abort_incomplete_multipart_days" {
  description = "Days after which an unfinished multipart upload (a client killed mid-upload) is removed"
  type        = number
  default     = 7
}

variable "noncurrent_version_expiration_days" {
  description = "Days an overwritten or deleted object version is kept before it expires"
  type        = number
  default     = 90
}

variable "transitions" {
  description = "Optional storage class transitions of current objects: days after creation and the class"
  type = list(object({
    days          = number
    storage_class = string
  }))
  default = []

  validation {
    condition = alltrue([
      for transition in var.transitions :
      contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], transition.storage_class)
    ])
    error_message = "transitions[*].storage_class: STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER or DEEP_ARCHIVE."
  }
}

variable "access_log_bucket" {
  description = "Bucket receiving server access logs (empty: no access logging)"
  type        = string
  default     = ""
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}
