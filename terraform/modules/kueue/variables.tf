variable "pools" {
  description = "GPU pools: the gpu-node-pools module's pools output (the quotas are derived from their maxima)"
  type = map(object({
    gpu_type            = string
    max_size            = number
    gpus_per_node       = number
    vcpus_per_node      = number
    memory_gib_per_node = number
  }))
}

variable "gpu_type_label" {
  description = "Node label whose value is the GPU type (the gpu-node-pools module's gpu_type_label output)"
  type        = string
  default     = "grimoire.dev/gpu-type"
}

variable "gpu_tolerations" {
  description = "Tolerations of the GPU nodes' taint (the gpu-node-pools module's gpu_tolerations output); Kueue adds them to admitted pods"
  type = list(object({
    key      = string
    operator = string
    value    = optional(string)
    effect   = string
  }))
}

variable "teams" {
  description = "Teams by name (DNS-1123 labels): one ClusterQueue each, with its weight's share of every GPU type, and a LocalQueue of the same name in the training namespace"
  type = map(object({
    weight = optional(number, 1)
  }))

  validation {
    condition     = alltrue([for name in keys(var.teams) : can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name))])
    error_message = "teams: names are DNS-1123 labels (they name ClusterQueues and LocalQueues)."
  }
}

variable "training_namespace" {
  description = "Namespace the training Jobs run in (the LocalQueues live there)"
  type        = string
  default     = "training"
}

variable "create_training_namespace" {
  description = "Create the training namespace (false when it already exists)"
  type        = bool
  default     = true
}

variable "preemption_within_cohort" {
  description = "What a team reclaiming its own quota may preempt among borrowers: Never, LowerPriority or Any"
  type        = string
  default     = "Any"

  validation {
    condition     = contains(["Never", "LowerPriority", "Any"], var.preemption_within_cohort)
    error_message = "preemption_within_cohort: Never, LowerPriority or Any."
  }
}

variable "kueue_version" {
  description = "Version of the Kueue Helm chart"
  type        = string
  default     = "0.14.4"
}
