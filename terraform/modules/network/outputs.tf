output "vpc_id" {
  description = "ID of the VPC"
  value       = module.vpc.vpc_id
}

output "vpc_cidr_block" {
  description = "The VPC's CIDR block"
  value       = module.vpc.vpc_cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets for the cluster's nodes (one per zone)"
  value       = module.vpc.private_subnets
}

output "public_subnet_ids" {
  description = "Public subnets, for internet-facing load balancers only"
  value       = module.vpc.public_subnets
}

output "database_subnet_group_name" {
  description = "DB subnet group over the private database subnets"
  value       = module.vpc.database_subnet_group_name
}

output "load_balancer_security_group_id" {
  description = "Security group for the Grimoire ALB (443 from anywhere, out only into the VPC)"
  value       = aws_security_group.load_balancer.id
}
