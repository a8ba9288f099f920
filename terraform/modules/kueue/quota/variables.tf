variable "pools" {
  description = "GPU pools (the gpu-node-pools module's pools output); only these attributes are read"
  type = map(object({
    gpu_type            = string
    max_size            = number
    gpus_per_node       = number
    vcpus_per_node      = number
    memory_gib_per_node = number
  }))
}

variable "teams" {
  description = "Teams by name; each team's nominal quota of every GPU type is its weight's share of the pools' capacity"
  type = map(object({
    weight = optional(number, 1)
  }))

  validation {
    condition     = length(var.teams) > 0 && alltrue([for team in values(var.teams) : team.weight > 0])
    error_message = "teams: at least one team, every weight greater than zero."
  }
}
