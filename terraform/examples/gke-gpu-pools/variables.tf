variable "project_id" {
  description = "Google Cloud project"
  type        = string
}

variable "region" {
  description = "Region of the regional cluster"
  type        = string
  default     = "europe-west4"
}

variable "zones" {
  description = "Zones with the GPU types the pools ask for"
  type        = list(string)
  default     = ["europe-west4-a", "europe-west4-b"]
}

variable "network" {
  description = "VPC network name"
  type        = string
}

variable "subnetwork" {
  description = "Subnetwork of the nodes"
  type        = string
}

variable "ip_range_pods" {
  description = "Secondary range name for pods"
  type        = string
}

variable "ip_range_services" {
  description = "Secondary range name for services"
  type        = string
}

variable "gpu_pools" {
  description = "GPU pools by name; every pool autoscales from 0 nodes to max_count per zone"
  type = map(object({
    machine_type        = string
    accelerator_type    = string
    accelerator_count   = number
    max_count           = number
    vcpus_per_node      = number
    memory_gib_per_node = number
    spot                = optional(bool, true)
    disk_size_gb        = optional(number, 200)
    gpu_driver_version  = optional(string, "LATEST")
  }))
  default = {
    l4-spot = {
      machine_type        = "g2-standard-8"
      accelerator_type    = "nvidia-l4"
      accelerator_count   = 1
      max_count           = 8
      vcpus_per_node      = 8
      memory_gib_per_node = 32
    }
    a100 = {
      machine_type        = "a2-highgpu-1g"
      accelerator_type    = "nvidia-tesla-a100"
      accelerator_count   = 1
      max_count           = 2
      vcpus_per_node      = 12
      memory_gib_per_node = 85
      spot                = false
    }
  }

  validation {
    condition     = alltrue([for pool in values(var.gpu_pools) : contains(["DEFAULT", "LATEST", "INSTALLATION_DISABLED"], pool.gpu_driver_version)])
    error_message = "gpu_pools[*].gpu_driver_version: DEFAULT, LATEST or INSTALLATION_DISABLED."
  }
}

variable "tags" {
  description = "Labels on every resource (GCP calls tags labels)"
  type        = map(string)
  default     = {}
}
