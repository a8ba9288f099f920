"""What the resources promise, read from the HCL: GPU pools start at zero with the NVIDIA AMI
and the nvidia.com/gpu taint, storage and the database are encrypted, the bucket is private
and TLS-only, and no security group opens 0.0.0.0/0 except the load balancer's 443."""

import pytest

from tests.fixtures.terraform import ALL_MODULES, TERRAFORM, load, locals_of, named, resources

MODULES = TERRAFORM / "modules"


def _resource(directory, resource_type, name):
    for found_type, found_name, body in resources(load(directory)):
        if (found_type, found_name) == (resource_type, name):
            return body
    raise AssertionError(f"{resource_type}.{name} not in {directory.name}")


def test_managed_gpu_node_groups_start_at_zero_with_the_nvidia_ami_and_the_taint():
    pools = MODULES / "gpu-node-pools"
    group = named(load(pools), "module")["managed_node_group"]
    assert group["min_size"] == 0 and group["desired_size"] == 0
    assert group["max_size"] == "${each.value.max_size}"
    assert group["ami_type"] == "AL2023_x86_64_NVIDIA"
    assert group["taints"] == {"gpu": "${local.gpu_taint}"}
    assert group["block_device_mappings"]["root"]["ebs"]["encrypted"] is True
    assert group["enable_efa_support"] == "${each.value.efa}"
    taint = locals_of(pools)["gpu_taint"]
    assert taint == {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}
    toleration = locals_of(pools)["gpu_toleration"]
    assert toleration["effect"] == "NoSchedule" and toleration["key"] == "${local.gpu_taint.key}"


def test_karpenter_node_pools_carry_the_taint_and_their_limits_are_the_pool_maxima():
    spec = _resource(MODULES / "gpu-node-pools", "kubernetes_manifest", "gpu_node_pool")[
        "manifest"
    ]["spec"]
    template = spec["template"]["spec"]
    assert template["taints"] == [
        {
            "key": "${local.gpu_taint.key}",
            "value": "${local.gpu_taint.value}",
            "effect": "NoSchedule",
        }
    ]
    limits = spec["limits"]
    assert limits["nvidia.com/gpu"] == "${tostring(each.value.max_size * each.value.gpus_per_node)}"
    assert limits["cpu"] == "${tostring(each.value.max_size * each.value.vcpus_per_node)}"
    assert "each.value.max_size * each.value.memory_gib_per_node" in limits["memory"]
    node_class = _resource(MODULES / "gpu-node-pools", "kubernetes_manifest", "gpu_node_class")
    assert node_class["manifest"]["spec"]["blockDeviceMappings"][0]["ebs"]["encrypted"] is True


def test_gpu_pools_refuse_unknown_capacity_types():
    variable = named(load(MODULES / "gpu-node-pools"), "variable")["pools"]
    assert "min_size" not in variable["type"], "the minimum is always zero, not an input"
    assert any("capacity_type" in rule["condition"] for rule in variable["validation"])


def test_gke_gpu_pools_autoscale_from_zero_with_the_taint():
    example = TERRAFORM / "examples" / "gke-gpu-pools"
    gke = named(load(example), "module")["gke"]
    assert gke["source"].startswith("terraform-google-modules/kubernetes-engine/google")
    pools = gke["node_pools"]
    for key in ("accelerator_type", "gpu_driver_version", "spot", "min_count = 0"):
        assert key in pools
    assert "autoscaling = true" in pools and "initial_node_count = 0" in pools
    assert 'effect = "NO_SCHEDULE"' in gke["node_pools_taints"]
    assert 'key = "nvidia.com/gpu"' in gke["node_pools_taints"]


def test_the_database_is_encrypted_multi_az_backed_up_and_keeps_no_password():
    database = MODULES / "database"
    instance = _resource(database, "aws_db_instance", "postgres")
    assert instance["storage_encrypted"] is True
    assert instance["kms_key_id"] == "${aws_kms_key.database.arn}"
    assert instance["multi_az"] is True and instance["publicly_accessible"] is False
    assert instance["manage_master_user_password"] is True
    assert instance["performance_insights_kms_key_id"] == "${aws_kms_key.database.arn}"
    assert instance["deletion_protection"] == "${var.deletion_protection}"
    assert instance["backup_retention_period"] == "${var.backup_retention_days}"
    assert instance["parameter_group_name"] == "${aws_db_parameter_group.postgres[0].name}"
    cluster = _resource(database, "aws_rds_cluster", "aurora")
    assert cluster["storage_encrypted"] is True and cluster["manage_master_user_password"] is True
    assert _resource(database, "aws_rds_cluster_instance", "aurora")["count"] == (
        '${var.engine_mode == "aurora" ? 2 : 0}'
    )
    variables = named(load(database), "variable")
    assert variables["deletion_protection"]["default"] is True
    assert variables["backup_retention_days"]["default"] >= 7
    assert _resource(database, "aws_kms_key", "database")["enable_key_rotation"] is True
    parameters = locals_of(database)["parameters"]
    # checkov's CKV2_AWS_27 is skipped for the dynamic block; these are what it looks for.
    assert {"rds.force_ssl", "log_statement", "log_min_duration_statement"} <= parameters.keys()


def test_no_password_appears_anywhere_in_the_terraform():
    for directory in ALL_MODULES:
        for resource_type, name, body in resources(load(directory)):
            for attribute in ("password", "master_password", "master_user_password"):
                assert attribute not in body, f"{resource_type}.{name}.{attribute}"


def test_the_database_admits_only_the_nodes():
    rule = _resource(MODULES / "database", "aws_vpc_security_group_ingress_rule", "from_nodes")
    assert rule["from_port"] == rule["to_port"] == 5432
    assert "cidr_ipv4" not in rule and "cidr_ipv6" not in rule
    assert rule["referenced_security_group_id"] == (
        "${var.allowed_security_group_ids[count.index]}"
    )


def test_the_bucket_is_private_encrypted_versioned_and_tls_only():
    store = MODULES / "artifact-store"
    block = _resource(store, "aws_s3_bucket_public_access_block", "artifacts")
    for switch in (
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ):
        assert block[switch] is True, switch
    ownership = _resource(store, "aws_s3_bucket_ownership_controls", "artifacts")
    assert ownership["rule"][0]["object_ownership"] == "BucketOwnerEnforced"
    versioning = _resource(store, "aws_s3_bucket_versioning", "artifacts")
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"
    encryption = _resource(store, "aws_s3_bucket_server_side_encryption_configuration", "artifacts")
    default = encryption["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert default["sse_algorithm"] == "aws:kms"
    assert default["kms_master_key_id"] == "${aws_kms_key.artifacts.arn}"
    assert _resource(store, "aws_kms_key", "artifacts")["enable_key_rotation"] is True
    policy = [body for kind, name, body in resources(load(store), "data") if name == "bucket"][0][
        "statement"
    ][0]
    assert policy["effect"] == "Deny" and policy["actions"] == ["s3:*"]
    assert policy["condition"][0]["variable"] == "aws:SecureTransport"
    assert policy["condition"][0]["values"] == ["false"]


def test_the_bucket_aborts_unfinished_uploads_and_allows_the_ui_to_download():
    store = MODULES / "artifact-store"
    lifecycle = _resource(store, "aws_s3_bucket_lifecycle_configuration", "artifacts")
    rules = {rule["id"]: rule for rule in lifecycle["rule"]}
    abort = rules["abort-incomplete-multipart-uploads"]["abort_incomplete_multipart_upload"][0]
    assert abort["days_after_initiation"] == "${var.abort_incomplete_multipart_days}"
    assert "noncurrent_version_expiration" in rules["expire-noncurrent-versions"]
    assert "transitions" in str(lifecycle["dynamic"])
    cors = _resource(store, "aws_s3_bucket_cors_configuration", "artifacts")["cors_rule"][0]
    assert cors["allowed_methods"] == ["GET", "HEAD"]
    assert cors["allowed_origins"] == "${var.ui_origins}" and "Range" in cors["allowed_headers"]


def _open_to_the_world(body):
    return any(
        cidr in str(body.get(key, ""))
        for key in ("cidr_ipv4", "cidr_ipv6", "cidr_blocks", "ipv6_cidr_blocks")
        for cidr in ("0.0.0.0/0", "::/0")
    )


@pytest.mark.parametrize("directory", ALL_MODULES, ids=[p.name for p in ALL_MODULES])
def test_no_security_group_opens_the_world_except_the_load_balancers_443(directory):
    for resource_type, name, body in resources(load(directory)):
        rules = []
        if resource_type in (
            "aws_vpc_security_group_ingress_rule",
            "aws_vpc_security_group_egress_rule",
            "aws_security_group_rule",
        ):
            rules = [body]
        elif resource_type == "aws_security_group":
            rules = [*body.get("ingress", []), *body.get("egress", [])]
        for rule in rules:
            if not _open_to_the_world(rule):
                continue
            assert (resource_type, name) == (
                "aws_vpc_security_group_ingress_rule",
                "https_from_anywhere",
            ), f"{resource_type}.{name} opens 0.0.0.0/0"
            assert rule["from_port"] == rule["to_port"] == 443 and rule["ip_protocol"] == "tcp"
            assert rule["security_group_id"] == "${aws_security_group.load_balancer.id}"


def test_the_roles_reach_only_the_prefix():
    identities = MODULES / "identities"
    documents = {name: body for _kind, name, body in resources(load(identities), "data")}
    workloads = ("artifacts", "jobs", "training")
    for name in ("prefix_read", *workloads):
        for statement in documents[name]["statement"]:
            for resource in statement["resources"]:
                assert (
                    "*" not in resource
                    or resource.startswith("${local.prefix_objects}")
                    or ("${var.prefix}/" in resource)
                ), f"{name}: {resource}"
            if any(action.startswith("s3:ListBucket") for action in statement["actions"]):
                assert statement["condition"][0]["variable"] == "s3:prefix", name
                assert statement["condition"][0]["values"] == "${local.prefix_listings}", name
    # Each workload holds the shared read, list and key statements and adds only its writes.
    for name in workloads:
        assert documents[name]["source_policy_documents"] == [
            "${data.aws_iam_policy_document.prefix_read.json}"
        ], name
    assert locals_of(identities)["prefix_objects"] == '${"${var.bucket_arn}/${var.prefix}/*"}'
    association = _resource(identities, "aws_eks_pod_identity_association", "workload")
    assert association["role_arn"] == "${aws_iam_role.workload[each.key].arn}"


def test_the_cluster_is_private_by_default_with_the_add_ons_the_rest_needs():
    cluster = MODULES / "cluster"
    eks = named(load(cluster), "module")["eks"]
    assert eks["source"] == "terraform-aws-modules/eks/aws" and eks["version"] == "~> 21.0"
    assert eks["endpoint_private_access"] is True
    assert named(load(cluster), "variable")["endpoint_public_access"]["default"] is False
    addons = eks["addons"]
    assert {"vpc-cni", "coredns", "aws-ebs-csi-driver", "eks-pod-identity-agent"} <= set(addons)
    assert addons["vpc-cni"]["before_compute"] is True
    assert addons["eks-pod-identity-agent"]["before_compute"] is True
    system = eks["eks_managed_node_groups"]["system"]
    assert system["block_device_mappings"]["root"]["ebs"]["encrypted"] is True
    assert "access_entries" in eks


def test_the_network_keeps_nodes_and_the_database_private():
    network = MODULES / "network"
    vpc = named(load(network), "module")["vpc"]
    assert vpc["create_database_internet_gateway_route"] is False
    assert vpc["create_database_nat_gateway_route"] is False
    assert vpc["map_public_ip_on_launch"] is False
    assert vpc["public_subnet_tags"] == {"kubernetes.io/role/elb": "1"}
    assert vpc["enable_nat_gateway"] is True
    endpoints = named(load(network), "module")["vpc_endpoints"]["endpoints"]
    assert endpoints["s3"]["service"] == "s3" and endpoints["s3"]["service_type"] == "Gateway"
