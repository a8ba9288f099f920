variable "name" {
  description = "Name of the VPC and prefix of everything in it"
  type        = string
}

variable "cidr" {
  description = "The VPC's IPv4 CIDR block"
  type        = string
  default     = "10.20.0.0/16"
}

variable "availability_zones" {
  description = "Availability zones to spread subnets over (at least two: Multi-AZ PostgreSQL and EKS need them)"
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "availability_zones: give at least two zones."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper) instead of one per zone (survives a zone outage)"
  type        = bool
  default     = false
}

variable "cluster_name" {
  description = "EKS cluster name, written into subnet tags so load balancers and Karpenter find the subnets"
  type        = string
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}
