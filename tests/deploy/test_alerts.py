"""The alert rules and the dashboard: promtool checks and unit-tests the rules file as it
ships, every metric they query is one Grimoire exports, and the chart's monitoring templates
render them as a PrometheusRule and a sidecar-labelled ConfigMap."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import helm_python
import kubernetes_validate
import pytest
import yaml
from prometheus_client import REGISTRY

import services.specs  # noqa: F401  (imports every service, so their metrics are registered)

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "grimoire"
RULES = CHART / "files" / "prometheus-rules.yaml"
DASHBOARD = CHART / "files" / "grafana-dashboard.json"
PROMTOOL = shutil.which("promtool")
# What the rules read from elsewhere: kube-state-metrics, and the rules' own records.
FOREIGN = re.compile(r"kube_\w+|grimoire:\w+")


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    if PROMTOOL is None:
        pytest.fail("promtool is required (.ci/run installs Debian's prometheus)")
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, cwd=REPO)


def test_promtool_checks_the_rules_file() -> None:
    done = promtool("check", "rules", str(RULES))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 15 rules found" in done.stdout


def test_every_alert_fires_on_its_cases_and_not_on_healthy_neighbours() -> None:
    done = promtool("test", "rules", str(Path(__file__).parent / "alert_cases.yaml"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_alert_has_a_case() -> None:
    alerts = {
        rule["alert"]
        for group in yaml.safe_load(RULES.read_text())["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }
    cases = yaml.safe_load((Path(__file__).parent / "alert_cases.yaml").read_text())["tests"]
    tested = {check["alertname"] for case in cases for check in case["alert_rule_test"]}
    assert alerts == tested


def exported_names() -> set[str]:
    """Every sample name the processes' registry exports (counters' `_total`, histograms'
    `_bucket`, `_sum`, `_count` included)."""
    names = set()
    for family in REGISTRY.collect():
        for suffix in ("", "_total", "_bucket", "_sum", "_count"):
            names.add(family.name + suffix)
    return names


def queried_names(text: str) -> set[str]:
    return set(re.findall(r"\b(grimoire_\w+|kube_\w+|grimoire:\w+)", text))


@pytest.mark.parametrize("path", [RULES, DASHBOARD], ids=lambda p: p.name)
def test_rules_and_dashboard_query_only_metrics_grimoire_exports(path: Path) -> None:
    names = queried_names(path.read_text())
    assert names, path
    unknown = {name for name in names if not FOREIGN.fullmatch(name)} - exported_names()
    assert not unknown, unknown


def test_dashboard_is_grafana_json_with_unique_panel_ids() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    variables = {variable["name"] for variable in dashboard["templating"]["list"]}
    assert variables == {"datasource", "namespace", "job"}
    for panel in dashboard["panels"]:
        for target in panel.get("targets", ()):
            assert target["datasource"]["uid"] == "${datasource}"


def render(tmp_path: Path, monitoring: dict[str, object]) -> dict[str, str]:
    """The monitoring templates on their own, as a chart of just them and their files: what
    they render depends on `monitoring` values alone."""
    chart = tmp_path / "grimoire"
    shutil.copytree(CHART / "templates" / "monitoring", chart / "templates" / "monitoring")
    shutil.copytree(CHART / "files", chart / "files")
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: grimoire\nversion: 0.1.0\n")
    rendered = helm_python.Chart.load(str(chart)).render(
        {"monitoring": monitoring}, name="grim", namespace="ml", is_install=True
    )
    return {Path(name).name: text for name, text in rendered.items() if text.strip()}


OFF = {"prometheusRule": {"enabled": False}, "grafanaDashboard": {"enabled": False}}


def test_nothing_is_rendered_unless_asked(tmp_path: Path) -> None:
    assert render(tmp_path, OFF) == {}


def test_the_prometheus_rule_wraps_the_rules_file(tmp_path: Path) -> None:
    values = {**OFF, "prometheusRule": {"enabled": True, "labels": {"release": "kps"}}}
    rendered = render(tmp_path, values)
    assert set(rendered) == {"prometheusrule.yaml"}
    rule = yaml.safe_load(rendered["prometheusrule.yaml"])
    assert rule["apiVersion"] == "monitoring.coreos.com/v1" and rule["kind"] == "PrometheusRule"
    assert rule["metadata"]["labels"]["release"] == "kps"
    assert rule["metadata"]["namespace"] == "ml"
    assert rule["spec"] == yaml.safe_load(RULES.read_text())


def test_the_dashboard_config_map_carries_the_sidecar_label_and_the_json(tmp_path: Path) -> None:
    values = {**OFF, "grafanaDashboard": {"enabled": True, "labels": {"team": "ml"}}}
    rendered = render(tmp_path, values)
    assert set(rendered) == {"grafana-dashboard.yaml"}
    config_map = yaml.safe_load(rendered["grafana-dashboard.yaml"])
    kubernetes_validate.validate(config_map, "1.33.0", strict=True)
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert config_map["metadata"]["labels"]["team"] == "ml"
    shipped = json.loads(DASHBOARD.read_text())
    assert json.loads(config_map["data"]["grimoire.json"]) == shipped
