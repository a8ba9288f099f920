variable "name" {
  description = "Name of the EKS cluster"
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane (e.g. 1.33)"
  type        = string
  default     = "1.33"
}

variable "vpc_id" {
  description = "VPC the cluster runs in (the network module's vpc_id)"
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the nodes and the control plane's network interfaces"
  type        = list(string)
}

variable "endpoint_public_access" {
  description = "Expose the API server endpoint publicly; false keeps it reachable only from inside the VPC"
  type        = bool
  default     = false
}

variable "endpoint_public_access_cidrs" {
  description = "CIDRs allowed to the public API endpoint when endpoint_public_access is true"
  type        = list(string)
  default     = []
}

variable "system_node_group" {
  description = "The always-on node group that runs Grimoire, Kueue, Karpenter and the add-ons"
  type = object({
    instance_types = optional(list(string), ["m7i.large"])
    min_size       = optional(number, 2)
    max_size       = optional(number, 4)
    desired_size   = optional(number, 2)
    disk_size      = optional(number, 50)
  })
  default = {}
}

variable "access_entries" {
  description = "Who may use the cluster: IAM principal ARN to the EKS access policy and scope it gets"
  type = map(object({
    principal_arn = string
    policy_arn    = optional(string, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")
    namespaces    = optional(list(string), [])
  }))
  default = {}
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}
