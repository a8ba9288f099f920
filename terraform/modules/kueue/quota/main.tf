# The quotas come from the pools, never typed a second time: a GPU type's capacity is the sum
# over its pools of max_size times the per-node resources, and the teams' nominal quotas of it
# add up to exactly that capacity (each team gets its weight's share rounded down; the first
# team by name also gets what rounding left over).
locals {
  gpu_types = sort(distinct([for pool in values(var.pools) : pool.gpu_type]))

  capacity = {
    for gpu_type in local.gpu_types : gpu_type => {
      gpus       = sum([for pool in values(var.pools) : pool.max_size * pool.gpus_per_node if pool.gpu_type == gpu_type])
      vcpus      = sum([for pool in values(var.pools) : pool.max_size * pool.vcpus_per_node if pool.gpu_type == gpu_type])
      memory_gib = sum([for pool in values(var.pools) : pool.max_size * pool.memory_gib_per_node if pool.gpu_type == gpu_type])
    }
  }

  total_weight = sum([for team in values(var.teams) : team.weight])
  first_team   = sort(keys(var.teams))[0]

  rounded_down = {
    for name, team in var.teams : name => {
      for gpu_type, resources in local.capacity : gpu_type => {
        for resource, amount in resources : resource => floor(amount * team.weight / local.total_weight)
      }
    }
  }

  quotas = {
    for name, shares in local.rounded_down : name => {
      for gpu_type, resources in shares : gpu_type => {
        for resource, amount in resources : resource => amount + (
          name == local.first_team
          ? local.capacity[gpu_type][resource] - sum([for other in values(local.rounded_down) : other[gpu_type][resource]])
          : 0
        )
      }
    }
  }
}
