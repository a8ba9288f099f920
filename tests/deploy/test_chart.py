"""The chart as a cluster would receive it: rendered by Helm's own Go SDK for every
ci/*-values.yaml, linted strictly for the oldest and newest Kubernetes we support, every
object validated against that Kubernetes version's schema (the CRDs structurally), and
checkov finding nothing that is not justified in the chart."""

import re
from pathlib import Path
from typing import Any

import helm_python
import kubernetes_validate
import pytest
import yaml

from tests.fixtures.chart import CHART, CI_VALUES, COMPONENTS, ci_values, find, kinds, render
from tests.fixtures.checkov import scan_kubernetes

KUBE_VERSIONS = ("1.30.0", "1.35.0")
CUSTOM_KINDS = {"ServiceMonitor", "PrometheusRule", "HTTPRoute"}
DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
ci_names = [path.name.removesuffix("-values.yaml") for path in CI_VALUES]


def test_every_ci_values_file_the_issue_asks_for_exists():
    assert {"default", "ha", "external-secrets", "s3-workload-identity", "oidc"} <= set(ci_names)


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
@pytest.mark.parametrize("name", ci_names)
def test_lint_strict(name, kube_version):
    report = helm_python.lint(
        str(CHART), ci_values(name), strict=True, kube_version=f"v{kube_version}"
    )
    assert report["errors"] == []
    # Severity 1 is INFO ("icon is recommended"); warnings and errors fail strict lint.
    assert [m for m in report["messages"] if m["severity"] > 1] == []


@pytest.mark.parametrize("name", ci_names)
def test_every_object_is_valid_for_each_kubernetes_version(name):
    documents = render(ci_values(name))
    for document in documents:
        metadata = document["metadata"]
        assert metadata["namespace"] == "ml", metadata["name"]
        # Services and the objects named after them must be DNS-1123 labels.
        assert DNS_1123_LABEL.match(metadata["name"]) and len(metadata["name"]) <= 63
        if document["kind"] in CUSTOM_KINDS:
            continue
        for version in KUBE_VERSIONS:
            kubernetes_validate.validate(document, version, strict=True)
    for document in documents:
        if document["kind"] in CUSTOM_KINDS:
            CUSTOM_CHECKS[document["kind"]](document, documents)


def _service_ports(documents: list[dict[str, Any]], name: str) -> dict[str, int]:
    service = find(documents, "Service", name)
    return {port["name"]: port["port"] for port in service["spec"]["ports"]}


def _check_service_monitor(monitor: dict[str, Any], documents: list[dict[str, Any]]) -> None:
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    selector = monitor["spec"]["selector"]["matchLabels"]
    services = [
        d
        for d in documents
        if d["kind"] == "Service" and selector.items() <= d["metadata"]["labels"].items()
    ]
    assert [s["metadata"]["name"] for s in services] == [monitor["metadata"]["name"]]
    ports = _service_ports(documents, monitor["metadata"]["name"])
    for endpoint in monitor["spec"]["endpoints"]:
        assert endpoint["port"] in ports and endpoint["path"] == "/metrics"
        assert re.fullmatch(r"[0-9]+(ms|s|m|h)", endpoint["interval"])


def _check_http_route(route: dict[str, Any], documents: list[dict[str, Any]]) -> None:
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    spec = route["spec"]
    assert spec["parentRefs"] and all(ref["name"] for ref in spec["parentRefs"])
    # The Gateway API CRD's limits: 16 rules, 64 matches a rule, 16 hostnames.
    assert 1 <= len(spec["rules"]) <= 16 and len(spec.get("hostnames", [])) <= 16
    for rule in spec["rules"]:
        assert 1 <= len(rule["matches"]) <= 64
        for match in rule["matches"]:
            assert match["path"]["type"] == "PathPrefix"
            assert match["path"]["value"].startswith("/")
        for backend in rule["backendRefs"]:
            assert backend["port"] in _service_ports(documents, backend["name"]).values()


def _check_prometheus_rule(rule: dict[str, Any], _documents: list[dict[str, Any]]) -> None:
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    groups = rule["spec"]["groups"]
    assert groups and len({g["name"] for g in groups}) == len(groups)
    for group in groups:
        for entry in group["rules"]:
            assert ("alert" in entry) != ("record" in entry) and entry["expr"]


CUSTOM_CHECKS = {
    "ServiceMonitor": _check_service_monitor,
    "HTTPRoute": _check_http_route,
    "PrometheusRule": _check_prometheus_rule,
}


def test_the_ha_values_render_the_custom_kinds_the_checks_cover():
    assert {"ServiceMonitor"} <= kinds(render(ci_values("ha")))
    assert "HTTPRoute" in kinds(render(ci_values("s3-workload-identity")))


def test_checkov_finds_nothing_unjustified(tmp_path: Path):
    for name in ci_names:
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump_all(render(ci_values(name))))
    reports = scan_kubernetes(tmp_path)
    failed = [
        (check["check_id"], check["resource"], check["file_path"])
        for report in reports
        for check in report["results"]["failed_checks"]
    ]
    assert failed == []
    skipped = [
        (check["check_id"], check["check_result"].get("suppress_comment", ""))
        for report in reports
        for check in report["results"]["skipped_checks"]
    ]
    # Every skip carries its reason in the chart (checkov.io/skipN: ID=reason).
    assert skipped and all(len(reason.split()) >= 5 for _, reason in skipped), skipped


def test_every_component_has_the_same_file_set():
    templates = CHART / "templates"
    file_sets = {c: sorted(p.name for p in (templates / c).iterdir()) for c in COMPONENTS}
    expected = sorted(
        f"{kind}.yaml"
        for kind in (
            "deployment",
            "service",
            "hpa",
            "pdb",
            "servicemonitor",
            "networkpolicy",
            "serviceaccount",
        )
    )
    assert file_sets == dict.fromkeys(COMPONENTS, expected)
