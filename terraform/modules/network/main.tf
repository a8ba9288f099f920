# Nodes and the database live in private subnets; only load balancers get public ones. The
# S3 gateway endpoint keeps artifact traffic off the NAT gateways (cheaper, and private).
locals {
  # /16 split into /20s: three node subnets, three public, three database.
  private_subnets  = [for index, _ in var.availability_zones : cidrsubnet(var.cidr, 4, index)]
  public_subnets   = [for index, _ in var.availability_zones : cidrsubnet(var.cidr, 4, index + 4)]
  database_subnets = [for index, _ in var.availability_zones : cidrsubnet(var.cidr, 4, index + 8)]
}

module "vpc" {
  # checkov:skip=CKV_TF_1: a registry module pinned by version constraint (registry versions are immutable releases); a commit hash applies to git sources
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 6.0"

  name = var.name
  cidr = var.cidr
  azs  = var.availability_zones

  private_subnets  = local.private_subnets
  public_subnets   = local.public_subnets
  database_subnets = local.database_subnets

  create_database_subnet_group       = true
  create_database_subnet_route_table = true
  # The database subnets have no route to the internet in either direction.
  create_database_internet_gateway_route = false
  create_database_nat_gateway_route      = false

  enable_nat_gateway     = true
  single_nat_gateway     = var.single_nat_gateway
  one_nat_gateway_per_az = !var.single_nat_gateway

  enable_dns_hostnames = true
  enable_dns_support   = true

  # Public subnets never hand out public addresses to instances: only load balancers live there.
  map_public_ip_on_launch = false

  enable_flow_log                                 = true
  create_flow_log_cloudwatch_log_group            = true
  create_flow_log_cloudwatch_iam_role             = true
  flow_log_cloudwatch_log_group_retention_in_days = 365

  public_subnet_tags = {
    "kubernetes.io/role/elb" = "1"
  }
  private_subnet_tags = {
    "kubernetes.io/role/internal-elb" = "1"
    "karpenter.sh/discovery"          = var.cluster_name
  }

  tags = var.tags
}

module "vpc_endpoints" {
  # checkov:skip=CKV_TF_1: a registry module pinned by version constraint (registry versions are immutable releases); a commit hash applies to git sources
  source  = "terraform-aws-modules/vpc/aws//modules/vpc-endpoints"
  version = "~> 6.0"

  vpc_id = module.vpc.vpc_id

  endpoints = {
    s3 = {
      service         = "s3"
      service_type    = "Gateway"
      route_table_ids = concat(module.vpc.private_route_table_ids, module.vpc.database_route_table_ids)
      tags            = { Name = "${var.name}-s3" }
    }
  }

  tags = var.tags
}

# The load balancers' group: the AWS Load Balancer Controller attaches it to the ALB it
# creates for the Grimoire Ingress (the grimoire module passes its id in an annotation).
resource "aws_security_group" "load_balancer" {
  # checkov:skip=CKV2_AWS_5: attached by the AWS Load Balancer Controller to the ALB it creates from the Ingress, outside Terraform
  name        = "${var.name}-load-balancer"
  description = "HTTPS from anywhere to the Grimoire load balancer"
  vpc_id      = module.vpc.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-load-balancer" })
}

resource "aws_vpc_security_group_ingress_rule" "https_from_anywhere" {
  security_group_id = aws_security_group.load_balancer.id
  description       = "HTTPS from clients anywhere (TLS terminates at the load balancer)"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "to_nodes" {
  security_group_id = aws_security_group.load_balancer.id
  description       = "Forward to pods and nodes inside the VPC only"
  cidr_ipv4         = var.cidr
  ip_protocol       = "tcp"
  from_port         = 0
  to_port           = 65535

  tags = var.tags
}
