"""Services describe themselves (`services/<svc>/spec.py`); the routing table, the 501
catalogue and the printed routing and policy tables are assembled from the specs."""

import subprocess
import sys

import pytest

from services.core.spec import RoutingTable, ServiceSpec
from services.specs import ROUTING, SPECS
from tests.servers import REPO


@pytest.mark.parametrize(
    "path,service",
    [
        ("/api/2.0/mlflow/runs/log-batch", "tracking"),
        ("/api/3.0/mlflow/logged-models/search", "tracking"),
        ("/api/2.0/mlflow/registered-models/create", "registry"),
        ("/ajax-api/2.0/mlflow/model-versions/get", "registry"),
        ("/api/2.0/mlflow/webhooks/abc", "registry"),
        ("/api/2.0/mlflow-artifacts/artifacts/1/x", "artifacts"),
        ("/ajax-api/2.0/mlflow-artifacts/artifacts", "artifacts"),
        ("/auth/login", "tracking"),
        ("/api/2.0/grimoire/tokens", "tracking"),
        ("/me", "tracking"),
        ("/", "web"),
        ("/static/assets/index-abc.js", "web"),
        ("/health", "web"),
        ("/no/such/page", "web"),
    ],
)
def test_the_longest_prefix_of_any_spec_wins(path: str, service: str) -> None:
    assert ROUTING.service_for(path) == service


def test_two_services_cannot_claim_one_prefix() -> None:
    with pytest.raises(ValueError, match="claimed by both"):
        RoutingTable((ServiceSpec("a", ("/x/",)), ServiceSpec("b", ("/x/",))))


def test_a_path_no_spec_claims_has_no_service() -> None:
    assert RoutingTable((ServiceSpec("a", ("/x/",)),)).service_for("/y") is None


def test_every_service_has_a_spec_with_its_own_name() -> None:
    assert sorted(spec.name for spec in SPECS) == ["artifacts", "registry", "tracking", "web"]


def _cli(*args: str) -> list[list[str]]:
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.split("\t") for line in done.stdout.splitlines()]


def test_grimoire_routes_prints_the_table_longest_prefix_first() -> None:
    rows = _cli("routes")
    assert [tuple(row) for row in rows] == list(ROUTING.routes)
    lengths = [len(prefix) for prefix, _ in rows]
    assert lengths == sorted(lengths, reverse=True)


def test_grimoire_policy_prints_every_route_with_its_rule() -> None:
    rows = {(service, method, path): rest for service, method, path, *rest in _cli("policy")}
    assert rows[("tracking", "POST", "/api/2.0/mlflow/runs/log-batch")] == [
        "run",
        "EDIT",
        "run_id",
        "",
    ]
    assert rows[("registry", "POST", "/api/2.0/mlflow/model-versions/transition-stage")] == [
        "model",
        "EDIT",
        "name",
        "stage.transition",
    ]
    assert rows[("tracking", "GET", "/health")][0] == "public"
    assert not [key for key, rest in rows.items() if rest[0].startswith("REFUSED")]
    # MLflow endpoints we do not implement are listed as the 501 catalogue, behind sign-in.
    assert any(rest[0] == "501 catalogue: authenticated" for rest in rows.values())
