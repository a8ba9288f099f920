"""The Kueue quotas equal the GPU pools' maxima. Terraform itself computes them: the quota
arithmetic is a module without providers (terraform/modules/kueue/quota), so `terraform plan`
runs offline on it, fed the very pools the aws-complete example declares."""

import json
import math
from pathlib import Path

import pytest

from tests.fixtures.terraform import (
    TERRAFORM,
    TERRAFORM_BINARY,
    load,
    locals_of,
    named,
    plan_outputs,
    resources,
    terraform,
)

KUEUE = TERRAFORM / "modules" / "kueue"
COMPLETE = TERRAFORM / "examples" / "aws-complete"
needs_terraform = pytest.mark.skipif(TERRAFORM_BINARY is None, reason="no terraform binary")
RESOURCES = ("gpus", "vcpus", "memory_gib")
PER_NODE = {"gpus": "gpus_per_node", "vcpus": "vcpus_per_node", "memory_gib": "memory_gib_per_node"}


def _plan_quota(tmp_path: Path, pools: dict, teams: dict) -> dict:
    # HCL accepts JSON syntax: the root module is written as main.tf.json.
    root = {
        "module": {"quota": {"source": str(KUEUE / "quota"), "pools": pools, "teams": teams}},
        "output": {name: {"value": f"${{module.quota.{name}}}"} for name in ("capacity", "quotas")},
    }
    (tmp_path / "main.tf.json").write_text(json.dumps(root))
    return plan_outputs(tmp_path)


def _capacity(pools: dict) -> dict:
    capacity: dict = {}
    for pool in pools.values():
        totals = capacity.setdefault(pool["gpu_type"], dict.fromkeys(RESOURCES, 0))
        for resource in RESOURCES:
            totals[resource] += pool["max_size"] * pool[PER_NODE[resource]]
    return capacity


def _example_pools() -> dict:
    return locals_of(COMPLETE)["gpu_pools"]


def _example_teams() -> dict:
    return named(load(COMPLETE), "variable")["teams"]["default"]


UNEVEN_POOLS = {
    "h100": {
        "gpu_type": "h100",
        "max_size": 3,
        "gpus_per_node": 8,
        "vcpus_per_node": 192,
        "memory_gib_per_node": 2048,
    },
    "l4-a": {
        "gpu_type": "l4",
        "max_size": 5,
        "gpus_per_node": 1,
        "vcpus_per_node": 8,
        "memory_gib_per_node": 32,
    },
    "l4-b": {
        "gpu_type": "l4",
        "max_size": 2,
        "gpus_per_node": 4,
        "vcpus_per_node": 48,
        "memory_gib_per_node": 192,
    },
}


@needs_terraform
@pytest.mark.parametrize(
    ("pools", "teams"),
    [
        (None, None),
        (UNEVEN_POOLS, {"a": {"weight": 1}, "b": {"weight": 1}, "c": {"weight": 1}}),
        (UNEVEN_POOLS, {"solo": {}}),
        (UNEVEN_POOLS, {"big": {"weight": 5}, "small": {"weight": 0.5}}),
    ],
    ids=["aws-complete", "three-equal-teams", "one-team", "fractional-weights"],
)
def test_the_teams_quotas_add_up_to_the_pools_maxima(tmp_path, pools, teams):
    pools = pools or _example_pools()
    teams = teams or _example_teams()
    outputs = _plan_quota(tmp_path, pools, teams)
    expected = _capacity(pools)
    assert outputs["capacity"] == expected
    quotas = outputs["quotas"]
    assert set(quotas) == set(teams)
    total_weight = sum(team.get("weight", 1) for team in teams.values())
    first = sorted(teams)[0]
    for gpu_type, capacity in expected.items():
        for resource in RESOURCES:
            shares = {team: quotas[team][gpu_type][resource] for team in teams}
            assert sum(shares.values()) == capacity[resource], (gpu_type, resource, shares)
            for team, share in shares.items():
                fair = math.floor(capacity[resource] * teams[team].get("weight", 1) / total_weight)
                assert share == fair or (team == first and share >= fair), (team, share, fair)


@needs_terraform
def test_a_team_with_no_weight_is_refused(tmp_path):
    root = {
        "module": {
            "quota": {
                "source": str(KUEUE / "quota"),
                "pools": UNEVEN_POOLS,
                "teams": {"a": {"weight": 0}},
            }
        }
    }
    (tmp_path / "main.tf.json").write_text(json.dumps(root))
    assert terraform("init", "-backend=false", cwd=tmp_path).returncode == 0
    planned = terraform("plan", cwd=tmp_path)
    assert planned.returncode != 0 and "every weight greater than zero" in planned.stderr


def test_cluster_queues_take_their_quotas_from_the_quota_module():
    manifests = {
        name: body for kind, name, body in resources(load(KUEUE)) if kind == "kubernetes_manifest"
    }
    queue = manifests["cluster_queue"]
    assert queue["for_each"] == "${module.quota.quotas}"
    group = queue["manifest"]["spec"]["resourceGroups"][0]
    assert group["coveredResources"] == ["cpu", "memory", "nvidia.com/gpu"]
    flavors = group["flavors"]
    assert "for gpu_type in module.quota.gpu_types" in flavors
    for expression in (
        "tostring(each.value[gpu_type].gpus)",
        "tostring(each.value[gpu_type].vcpus)",
        "${each.value[gpu_type].memory_gib}Gi",
    ):
        assert expression in flavors
    assert queue["manifest"]["spec"]["cohort"] == "${local.cohort}"
    flavor = manifests["resource_flavor"]
    assert flavor["for_each"] == "${toset(module.quota.gpu_types)}"
    assert flavor["manifest"]["spec"]["nodeLabels"] == {"${(var.gpu_type_label)}": "${each.key}"}
    assert flavor["manifest"]["spec"]["tolerations"] == "${var.gpu_tolerations}"
    local_queue = manifests["local_queue"]["manifest"]
    assert local_queue["metadata"]["namespace"] == "${var.training_namespace}"
    assert local_queue["spec"] == {"clusterQueue": "${each.key}"}
    assert named(load(KUEUE), "module")["quota"] == {
        "source": "./quota",
        "pools": "${var.pools}",
        "teams": "${var.teams}",
    }


def test_the_example_feeds_kueue_the_pools_themselves_not_a_copy():
    kueue = named(load(COMPLETE), "module")["kueue"]
    assert kueue["pools"] == "${module.gpu_node_pools.pools}"
    assert kueue["gpu_type_label"] == "${module.gpu_node_pools.gpu_type_label}"
    assert kueue["gpu_tolerations"] == "${module.gpu_node_pools.gpu_tolerations}"
    assert named(load(COMPLETE), "module")["gpu_node_pools"]["pools"] == "${local.gpu_pools}"
    outputs = named(load(TERRAFORM / "modules" / "gpu-node-pools"), "output")
    assert outputs["pools"]["value"] == "${var.pools}"
    # The flavors select the label the pools put on their nodes.
    pools_locals = locals_of(TERRAFORM / "modules" / "gpu-node-pools")
    assert outputs["gpu_type_label"]["value"] == "${local.gpu_type_label}"
    assert "(local.gpu_type_label) = pool.gpu_type" in pools_locals["node_labels"]
