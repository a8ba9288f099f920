# Into a cluster the team already has: only the database, the bucket, the roles, Kueue and
# the release. The GPU pools exist already; var.gpu_pools describes them so the quotas match.
locals {
  tags = merge(var.tags, { application = "grimoire", managed-by = "terraform" })
}

module "database" {
  source = "../../modules/database"

  name                       = "grimoire"
  vpc_id                     = var.vpc_id
  db_subnet_group_name       = var.db_subnet_group_name
  allowed_security_group_ids = [var.node_security_group_id]
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

  name                        = "grimoire"
  cluster_name                = var.cluster_name
  bucket_arn                  = module.artifact_store.bucket_arn
  bucket_kms_key_arn          = module.artifact_store.kms_key_arn
  prefix                      = module.artifact_store.prefix
  external_secrets_role       = var.install_external_secrets
  database_secret_arn         = module.database.master_user_secret_arn
  database_secret_kms_key_arn = module.database.kms_key_arn
  tags                        = local.tags
}

module "kueue" {
  source = "../../modules/kueue"

  pools = var.gpu_pools
  gpu_tolerations = [{
    key      = "nvidia.com/gpu"
    operator = "Equal"
    value    = "true"
    effect   = "NoSchedule"
  }]
  teams = var.teams
}

module "grimoire" {
  source = "../../modules/grimoire"

  image                           = var.image
  host                            = var.host
  certificate_arn                 = var.certificate_arn
  load_balancer_security_group_id = var.load_balancer_security_group_id
  install_external_secrets        = var.install_external_secrets
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
  oidc            = var.oidc
  webhooks_secret = { name = var.webhooks_secret_name }

  depends_on = [module.identities]
}
