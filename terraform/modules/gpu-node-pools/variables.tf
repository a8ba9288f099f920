variable "cluster_name" {
  description = "Name of the EKS cluster the pools join"
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the nodes (the control plane's)"
  type        = string
}

variable "cluster_service_cidr" {
  description = "The cluster's service CIDR (AL2023 nodes need it to bootstrap)"
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the GPU nodes launch in"
  type        = list(string)
}

variable "cluster_primary_security_group_id" {
  description = "The cluster's primary security group (the cluster module's output); node groups made outside the EKS module must join it"
  type        = string
}

variable "node_security_group_id" {
  description = "The cluster's node security group (the cluster module's output)"
  type        = string
}

variable "provisioner" {
  description = "How GPU nodes appear: managed-node-groups (one EKS managed node group per pool, scaled from zero by the cluster autoscaler) or karpenter (one NodePool per pool)"
  type        = string
  default     = "managed-node-groups"

  validation {
    condition     = contains(["managed-node-groups", "karpenter"], var.provisioner)
    error_message = "provisioner: managed-node-groups or karpenter."
  }
}

variable "pools" {
  description = "GPU pools by name. Every pool starts at zero nodes; max_size times the per-node resources is the pool's capacity, which becomes the Kueue quota and the Karpenter limits"
  type = map(object({
    gpu_type            = string
    instance_types      = list(string)
    instance_families   = optional(list(string), [])
    max_size            = number
    gpus_per_node       = number
    vcpus_per_node      = number
    memory_gib_per_node = number
    disk_size_gib       = optional(number, 200)
    capacity_type       = optional(string, "ON_DEMAND")
    labels              = optional(map(string), {})
    efa                 = optional(bool, false)
  }))

  validation {
    condition     = alltrue([for pool in values(var.pools) : contains(["ON_DEMAND", "SPOT"], pool.capacity_type)])
    error_message = "pools[*].capacity_type: ON_DEMAND or SPOT."
  }

  validation {
    condition     = alltrue([for pool in values(var.pools) : can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", pool.gpu_type))])
    error_message = "pools[*].gpu_type: a DNS-1123 label (it names the Kueue ResourceFlavor), e.g. a100 or l40s."
  }

  validation {
    condition     = alltrue([for pool in values(var.pools) : pool.max_size >= 1 && pool.gpus_per_node >= 1])
    error_message = "pools[*]: max_size and gpus_per_node are at least 1."
  }
}

variable "nvidia_device_plugin_version" {
  description = "Version of the nvidia-device-plugin Helm chart"
  type        = string
  default     = "0.17.4"
}

variable "cluster_autoscaler_version" {
  description = "Version of the cluster-autoscaler Helm chart (managed-node-groups only)"
  type        = string
  default     = "9.50.1"
}

variable "karpenter_version" {
  description = "Version of the Karpenter Helm chart (karpenter only)"
  type        = string
  default     = "1.6.3"
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}
