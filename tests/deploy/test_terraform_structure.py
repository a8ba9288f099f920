"""terraform/ read as the terraform-aws-eks anchor lays a module out: the four files and a
README per module, every variable typed and described, enumerations validated, every output
described, and every AWS resource tagged from the one `tags` map."""

import re

import pytest

from tests.fixtures.terraform import (
    ALL_MODULES,
    EXAMPLES,
    MODULES,
    TERRAFORM,
    load,
    named,
    resources,
)

MODULE_NAMES = {
    "network",
    "cluster",
    "gpu-node-pools",
    "kueue",
    "database",
    "artifact-store",
    "identities",
    "grimoire",
}
ids = [str(path.relative_to(TERRAFORM)) for path in ALL_MODULES]

# Variables that pick one of a few words, and the words: each must refuse anything else.
ENUMERATIONS = {
    ("modules/gpu-node-pools", "provisioner"): ["managed-node-groups", "karpenter"],
    ("modules/gpu-node-pools", "pools"): ["ON_DEMAND", "SPOT"],
    ("modules/database", "engine_mode"): ["rds", "aurora"],
    ("modules/identities", "mechanism"): ["pod-identity", "irsa"],
    ("modules/kueue", "preemption_within_cohort"): ["Never", "LowerPriority", "Any"],
    ("modules/grimoire", "load_balancer_scheme"): ["internet-facing", "internal"],
    ("modules/artifact-store", "transitions"): ["STANDARD_IA", "GLACIER_IR", "DEEP_ARCHIVE"],
    ("examples/aws-complete", "gpu_provisioner"): ["managed-node-groups", "karpenter"],
    ("examples/gke-gpu-pools", "gpu_pools"): ["DEFAULT", "LATEST", "INSTALLATION_DISABLED"],
}

# AWS resource types that take no tags argument.
UNTAGGABLE = {
    "aws_kms_alias",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_cors_configuration",
    "aws_s3_bucket_logging",
}


def test_every_module_the_issue_names_exists_with_its_four_files_and_a_readme():
    assert {path.name for path in MODULES} == MODULE_NAMES
    assert {path.name for path in EXAMPLES} == {"aws-complete", "existing-cluster", "gke-gpu-pools"}
    for directory in [*MODULES, *EXAMPLES, TERRAFORM / "modules" / "kueue" / "quota"]:
        for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
            assert (directory / name).is_file(), f"{directory.relative_to(TERRAFORM)}/{name}"


@pytest.mark.parametrize("directory", ALL_MODULES, ids=ids)
def test_every_variable_is_typed_and_described(directory):
    variables = named(load(directory), "variable")
    assert variables, "a module without inputs"
    for name, body in variables.items():
        assert body.get("type"), f"{name} has no type"
        assert len(body.get("description", "")) > 10, f"{name} has no description"


@pytest.mark.parametrize("directory", ALL_MODULES, ids=ids)
def test_every_output_is_described(directory):
    outputs = named(load(directory), "output")
    assert outputs
    for name, body in outputs.items():
        assert len(body.get("description", "")) > 10, f"output {name} has no description"


@pytest.mark.parametrize("directory", ALL_MODULES, ids=ids)
def test_object_attributes_with_defaults_use_optional(directory):
    """An object attribute a caller may leave out is declared optional(type, default)."""
    for name, body in named(load(directory), "variable").items():
        if "object(" in body["type"] and body.get("default") == {}:
            assert "optional(" in body["type"], f"{name}: default {{}} needs optional() attributes"


@pytest.mark.parametrize(("place", "variable"), sorted(ENUMERATIONS))
def test_enumerations_are_validated(place, variable):
    body = named(load(TERRAFORM / place), "variable")[variable]
    conditions = " ".join(rule["condition"] for rule in body.get("validation", []))
    assert "contains(" in conditions
    for word in ENUMERATIONS[(place, variable)]:
        assert f'"{word}"' in conditions, f"{variable} does not accept {word}"


@pytest.mark.parametrize("directory", ALL_MODULES, ids=ids)
def test_providers_are_pinned_to_a_major_version(directory):
    versions = load(directory)["terraform"][0]
    assert versions["required_version"].startswith(">= 1.")
    for providers in versions.get("required_providers", []):
        for name, requirement in providers.items():
            assert re.fullmatch(r">= \d+\.\d+, < \d+\.0", requirement["version"]), name


@pytest.mark.parametrize("directory", ALL_MODULES, ids=ids)
def test_every_registry_module_is_pinned(directory):
    for name, body in named(load(directory), "module").items():
        if not body["source"].startswith("."):
            assert re.fullmatch(r"~> \d+\.\d+", body.get("version", "")), name


AWS_MODULES = [path for path in MODULES if "hashicorp/aws" in (path / "versions.tf").read_text()]


def test_the_modules_without_aws_are_the_kubernetes_ones():
    assert {path.name for path in MODULES} - {path.name for path in AWS_MODULES} == {
        "kueue",
        "grimoire",
    }


@pytest.mark.parametrize("directory", AWS_MODULES, ids=[path.name for path in AWS_MODULES])
def test_every_aws_resource_is_tagged_from_the_tags_map(directory):
    config = load(directory)
    aws_resources = [r for r in resources(config) if r[0].startswith("aws_")]
    registry_modules = {
        name: body
        for name, body in named(config, "module").items()
        if body["source"].startswith("terraform-aws-modules/")
    }
    assert aws_resources or registry_modules
    assert "tags" in named(config, "variable")
    for resource_type, name, body in aws_resources:
        if resource_type in UNTAGGABLE:
            assert "tags" not in body
            continue
        assert "var.tags" in str(body.get("tags", "")), f"{resource_type}.{name} is untagged"
    for name, body in registry_modules.items():
        assert body.get("tags") == "${var.tags}", f"module {name} does not pass the tags"


def test_the_examples_tag_everything_from_one_map():
    for example in ("aws-complete", "existing-cluster"):
        config = load(TERRAFORM / "examples" / example)
        provider = config["provider"][0]["aws"]
        assert provider["default_tags"][0]["tags"] == "${local.tags}"
        for name, body in named(config, "module").items():
            if "tags" in named(load(_module_path(example, body["source"])), "variable"):
                assert body.get("tags") == "${local.tags}", f"{example}: module {name}"


def _module_path(example, source):
    return (TERRAFORM / "examples" / example / source).resolve()
