"""Services describe themselves (`services/<svc>/spec.py`); the routing table, the 501
catalogue and the printed routing and policy tables are assembled from the specs."""

import subprocess
import sys

import pytest
from fastapi import APIRouter
from prometheus_client import generate_latest

from services.core.app import create_app
from services.core.auth.policy import Rule, requires
from services.core.spec import RoutingTable, ServiceSpec, ajax_twin
from services.specs import ROUTING, SPECS
from tests.fixtures.servers import REPO


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
        ("/api/2.0/grimoire/registered-models/my-role", "registry"),
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
    assert sorted(spec.name for spec in SPECS) == [
        "artifacts",
        "jobs",
        "registry",
        "tracking",
        "web",
    ]


def test_every_mlflow_endpoint_is_listed_once_by_the_service_the_table_routes_it_to() -> None:
    listed = [(spec.name, endpoint) for spec in SPECS for endpoint in spec.mlflow_endpoints]
    endpoints = [endpoint for _, endpoint in listed]
    assert len(endpoints) == len(set(endpoints)) > 150
    misrouted = [(name, e) for name, e in listed if ROUTING.service_for(e[1]) != name]
    assert misrouted == []


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_a_service_app_imports_no_other_service(spec: ServiceSpec) -> None:
    """`uvicorn services.<svc>.main:app` loads its own package and the kit, nothing else."""
    probe = (
        f"import sys, services.{spec.name}.main\n"
        "print(sorted({m.split('.')[1] for m in sys.modules if m.startswith('services.')}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == str(sorted({"core", spec.name}))


def test_a_rule_whose_target_nobody_resolves_fails_the_build() -> None:
    router = APIRouter()

    @router.get("/api/2.0/mlflow/widgets/get")
    @requires(Rule("widget", "READ", "widget_id"))
    async def get_widget() -> None: ...

    with pytest.raises(ValueError, match="no resolver for target 'widget'"):
        create_app(ServiceSpec("widgets", ("/api/2.0/mlflow/widgets/",), routers=(router,)))


@pytest.mark.parametrize(
    "path,twin",
    [
        ("/api/2.0/mlflow/runs/log-batch", "/ajax-api/2.0/mlflow/runs/log-batch"),
        ("/api/3.0/mlflow/logged-models", "/ajax-api/3.0/mlflow/logged-models"),
        ("/api/2.0/mlflow-artifacts/artifacts/{p}", "/ajax-api/2.0/mlflow-artifacts/artifacts/{p}"),
        ("/api/2.0/grimoire/tokens", None),
        ("/health", None),
    ],
)
def test_mlflow_rest_routes_have_an_ajax_twin_like_mlflow(path: str, twin: str | None) -> None:
    assert ajax_twin(path) == twin


def test_each_service_serves_its_routes_under_the_ajax_twin_with_the_same_rule() -> None:
    rows = {(service, method, path): rest for service, method, path, *rest in _cli("policy")}
    for (service, method, path), rest in rows.items():
        twin = ajax_twin(path)
        if twin is not None:
            assert rows[(service, method, twin)] == rest, (method, path)


def test_the_metrics_a_spec_declares_are_exported_and_documented() -> None:
    samples = [line for line in generate_latest().decode().splitlines() if line[:1] != "#"]
    docs = (REPO / "docs").glob("*.md")
    documented = "".join(page.read_text() for page in docs)
    for spec in SPECS:
        for metric in spec.metrics:
            assert any(sample.startswith(metric._name) for sample in samples), metric._name
            assert metric._name in documented, metric._name


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
