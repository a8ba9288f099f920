# The Aurora variant: one writer and one reader in different zones (Aurora's Multi-AZ).
resource "aws_rds_cluster_parameter_group" "aurora" {
  count = var.engine_mode == "aurora" ? 1 : 0

  name   = "${var.name}-aurora-postgres"
  family = local.family

  dynamic "parameter" {
    for_each = local.parameters
    content {
      name  = parameter.key
      value = parameter.value
    }
  }

  tags = var.tags
}

resource "aws_rds_cluster" "aurora" {
  # checkov:skip=CKV2_AWS_27: the cluster parameter group sets log_statement and log_min_duration_statement from local.parameters in a dynamic block, which checkov does not expand (tests/deploy/test_terraform_structure.py checks both)
  # checkov:skip=CKV2_AWS_8: Aurora's automated backups (backup_retention_days, on by default) are the backup; an AWS Backup plan is an organisation-wide choice outside this module
  count = var.engine_mode == "aurora" ? 1 : 0

  cluster_identifier = var.name
  engine             = "aurora-postgresql"
  engine_version     = var.engine_version
  database_name      = var.database_name

  master_username               = var.master_username
  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.database.key_id

  storage_encrypted = true
  kms_key_id        = aws_kms_key.database.arn

  db_subnet_group_name            = var.db_subnet_group_name
  vpc_security_group_ids          = [aws_security_group.database.id]
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.aurora[0].name

  backup_retention_period             = var.backup_retention_days
  preferred_backup_window             = "02:00-03:00"
  copy_tags_to_snapshot               = true
  deletion_protection                 = var.deletion_protection
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${var.name}-final"
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["postgresql"]

  tags = var.tags
}

resource "aws_rds_cluster_instance" "aurora" {
  count = var.engine_mode == "aurora" ? 2 : 0

  identifier         = "${var.name}-${count.index}"
  cluster_identifier = aws_rds_cluster.aurora[0].id
  engine             = aws_rds_cluster.aurora[0].engine
  engine_version     = aws_rds_cluster.aurora[0].engine_version
  instance_class     = var.instance_class

  db_subnet_group_name            = var.db_subnet_group_name
  publicly_accessible             = false
  auto_minor_version_upgrade      = true
  monitoring_interval             = 30
  monitoring_role_arn             = aws_iam_role.monitoring.arn
  performance_insights_enabled    = true
  performance_insights_kms_key_id = aws_kms_key.database.arn

  tags = var.tags
}
