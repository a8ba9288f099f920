"""The chart routes one base URL the way `grimoire server` does: its route file is the
services' routing table, and the Ingress and HTTPRoute send every prefix to its service."""

from click.testing import CliRunner

from services.cli import main
from services.cli.tables import helm_routes
from services.specs import ROUTING
from tests.fixtures.chart import CHART, ci_values, find, merged, notes, render

ROUTES_FILE = CHART / "files" / "routes.yaml"


def test_the_committed_route_file_is_the_routing_table():
    # Regenerate with: grimoire routes --format helm > helm/grimoire/files/routes.yaml
    assert ROUTES_FILE.read_text() == helm_routes(ROUTING.routes)


def test_grimoire_routes_writes_the_helm_file_and_still_prints_the_table():
    runner = CliRunner()
    assert runner.invoke(main, ["routes", "--format", "helm"]).output == ROUTES_FILE.read_text()
    table = runner.invoke(main, ["routes"]).output.splitlines()
    assert table == [f"{prefix}\t{service}" for prefix, service in ROUTING.routes]


def _backend(name: str) -> str:
    return f"grim-grimoire-{name}"


def test_the_ingress_sends_every_prefix_to_its_service():
    ingress = find(render(ci_values("default")), "Ingress", "grim-grimoire")
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "grimoire.example.com"
    paths = {
        (path["path"], path["backend"]["service"]["name"], path["pathType"])
        for path in rule["http"]["paths"]
    }
    assert paths == {(prefix, _backend(service), "Prefix") for prefix, service in ROUTING.routes}


def test_the_httproute_sends_every_prefix_to_its_service():
    route = find(render(ci_values("s3-workload-identity")), "HTTPRoute", "grim-grimoire")
    matches = {
        (match["path"]["value"], rule["backendRefs"][0]["name"])
        for rule in route["spec"]["rules"]
        for match in rule["matches"]
    }
    assert matches == {(prefix, _backend(service)) for prefix, service in ROUTING.routes}
    assert route["spec"]["parentRefs"] == [
        {"name": "public", "namespace": "gateway", "sectionName": "https"}
    ]


def test_tls_and_cert_manager_on_the_ingress():
    ingress = find(render(ci_values("oidc")), "Ingress", "grim-grimoire")
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt"
    assert ingress["spec"]["tls"] == [
        {"hosts": ["grimoire.example.com"], "secretName": "grim-grimoire-tls"}
    ]


def test_without_ingress_or_route_nothing_routes_and_the_notes_say_how_to_reach_tracking():
    values = merged(ci_values("default"), {"ingress": {"enabled": False}})
    kinds = {d["kind"] for d in render(values)}
    assert not kinds & {"Ingress", "HTTPRoute"}
    text = notes(values)
    assert "port-forward svc/grim-grimoire-tracking 5000:80" in text
    assert "export MLFLOW_TRACKING_URI=http://127.0.0.1:5000" in text


def test_the_notes_give_the_url_and_the_tracking_uri_line():
    text = notes(ci_values("external-secrets"))
    assert "https://ml.example.com/" in text
    assert "export MLFLOW_TRACKING_URI=https://ml.example.com\n" in text
