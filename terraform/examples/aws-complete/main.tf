# Everything, in one account: network, EKS, GPU pools at zero, Kueue with quotas from the
# pools, PostgreSQL, the bucket, the roles and the Grimoire release.
locals {
  tags = merge(var.tags, { application = "grimoire", managed-by = "terraform" })

  gpu_pools = {
    a100 = {
      gpu_type            = "a100"
      instance_types      = ["p4d.24xlarge"]
      instance_families   = ["p4d"]
      max_size            = 2
      gpus_per_node       = 8
      vcpus_per_node      = 96
      memory_gib_per_node = 1152
      disk_size_gib       = 500
      efa                 = true
    }
    l4-spot = {
      gpu_type            = "l4"
      instance_types      = ["g6.2xlarge", "g6.4xlarge"]
      instance_families   = ["g6"]
      max_size            = 8
      gpus_per_node       = 1
      vcpus_per_node      = 8
      memory_gib_per_node = 32
      capacity_type       = "SPOT"
    }
  }
}

module "network" {
  source = "../../modules/network"

  name               = var.name
  cluster_name       = var.name
  availability_zones = var.availability_zones
  tags               = local.tags
}

module "cluster" {
  source = "../../modules/cluster"

  name       = var.name
  vpc_id     = module.network.vpc_id
  subnet_ids = module.network.private_subnet_ids
  access_entries = {
    admin = { principal_arn = var.admin_principal_arn }
  }
  tags = local.tags
}

module "gpu_node_pools" {
  source = "../../modules/gpu-node-pools"

  cluster_name                      = module.cluster.cluster_name
  kubernetes_version                = module.cluster.kubernetes_version
  cluster_service_cidr              = module.cluster.cluster_service_cidr
  cluster_primary_security_group_id = module.cluster.cluster_primary_security_group_id
  subnet_ids                        = module.network.private_subnet_ids
  node_security_group_id            = module.cluster.node_security_group_id
  provisioner                       = var.gpu_provisioner
  pools                             = local.gpu_pools
  tags                              = local.tags
}

module "kueue" {
  source = "../../modules/kueue"

  pools           = module.gpu_node_pools.pools
  gpu_type_label  = module.gpu_node_pools.gpu_type_label
  gpu_tolerations = module.gpu_node_pools.gpu_tolerations
  teams           = var.teams
}

module "database" {
  source = "../../modules/database"

  name                       = var.name
  vpc_id                     = module.network.vpc_id
  db_subnet_group_name       = module.network.database_subnet_group_name
  allowed_security_group_ids = [module.cluster.node_security_group_id]
  tags                       = local.tags
}

module "artifact_store" {
  source = "../../modules/artifact-store"

  bucket_name = var.bucket_name
  ui_origins  = ["https://${var.host}"]
  tags        = local.tags
}

module "identities" {
  source = "../../modules/identities"

  name                        = var.name
  cluster_name                = module.cluster.cluster_name
  bucket_arn                  = module.artifact_store.bucket_arn
  bucket_kms_key_arn          = module.artifact_store.kms_key_arn
  prefix                      = module.artifact_store.prefix
  database_secret_arn         = module.database.master_user_secret_arn
  database_secret_kms_key_arn = module.database.kms_key_arn
  service_accounts = {
    training_namespace = module.kueue.training_namespace
  }
  tags = local.tags
}

module "grimoire" {
  source = "../../modules/grimoire"

  image                           = var.image
  host                            = var.host
  certificate_arn                 = var.certificate_arn
  load_balancer_security_group_id = module.network.load_balancer_security_group_id
  database = {
    endpoint   = module.database.endpoint
    port       = module.database.port
    name       = module.database.database_name
    secret_arn = module.database.master_user_secret_arn
  }
  artifacts = {
    root                        = module.artifact_store.artifacts_root
    region                      = var.region
    service_account_annotations = module.identities.service_account_annotations["artifacts"]
  }
  oidc = {
    issuer             = var.oidc.issuer
    client_id          = var.oidc.client_id
    client_secret_name = var.oidc.client_secret_name
    admin_groups       = var.oidc.admin_groups
  }
  webhooks_secret = { name = var.webhooks_secret_name }

  depends_on = [module.identities]
}
