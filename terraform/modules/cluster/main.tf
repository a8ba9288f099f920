# EKS through terraform-aws-modules/eks 21.x: a private API endpoint unless asked otherwise,
# secrets envelope-encrypted by the module's KMS key, a small system node group for everything
# that is not training, and the add-ons the rest of the stack leans on: VPC CNI and the Pod
# Identity agent before any node joins, CoreDNS, and the EBS CSI driver (identity by Pod Identity).
module "ebs_csi_pod_identity" {
  # checkov:skip=CKV_TF_1: a registry module pinned by version constraint (registry versions are immutable releases); a commit hash applies to git sources
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  name                      = "${var.name}-ebs-csi"
  attach_aws_ebs_csi_policy = true

  tags = var.tags
}

module "eks" {
  # checkov:skip=CKV_TF_1: a registry module pinned by version constraint (registry versions are immutable releases); a commit hash applies to git sources
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = var.name
  kubernetes_version = var.kubernetes_version

  vpc_id     = var.vpc_id
  subnet_ids = var.subnet_ids

  endpoint_private_access      = true
  endpoint_public_access       = var.endpoint_public_access
  endpoint_public_access_cidrs = var.endpoint_public_access_cidrs

  enabled_log_types = ["api", "audit", "authenticator"]

  enable_cluster_creator_admin_permissions = true
  access_entries = {
    for name, entry in var.access_entries : name => {
      principal_arn = entry.principal_arn
      policy_associations = {
        (name) = {
          policy_arn = entry.policy_arn
          access_scope = length(entry.namespaces) == 0 ? { type = "cluster" } : {
            type       = "namespace"
            namespaces = entry.namespaces
          }
        }
      }
    }
  }

  addons = {
    vpc-cni = {
      before_compute = true
    }
    eks-pod-identity-agent = {
      before_compute = true
    }
    coredns    = {}
    kube-proxy = {}
    aws-ebs-csi-driver = {
      pod_identity_association = [{
        role_arn        = module.ebs_csi_pod_identity.iam_role_arn
        service_account = "ebs-csi-controller-sa"
      }]
    }
  }

  eks_managed_node_groups = {
    system = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = var.system_node_group.instance_types
      min_size       = var.system_node_group.min_size
      max_size       = var.system_node_group.max_size
      desired_size   = var.system_node_group.desired_size
      # The module's launch template ignores disk_size; the root volume is set here instead.
      block_device_mappings = {
        root = {
          device_name = "/dev/xvda"
          ebs = {
            volume_size           = var.system_node_group.disk_size
            volume_type           = "gp3"
            encrypted             = true
            delete_on_termination = true
          }
        }
      }
      labels = {
        "grimoire.dev/pool" = "system"
      }
    }
  }

  # Karpenter discovers the node security group by this tag.
  node_security_group_tags = {
    "karpenter.sh/discovery" = var.name
  }

  tags = var.tags
}
