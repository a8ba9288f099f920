"""The grimoire module's Helm values fit the chart: every key path exists in
helm/grimoire/values.schema.json (walked, $refs followed), and with a sample for every
Terraform expression the values pass the strict schema and render through Helm's own SDK."""

import json
from typing import Any

import helm_python
import jsonschema
import yaml

from tests.fixtures.chart import CHART, find, render
from tests.fixtures.terraform import TERRAFORM, load, locals_of, named

SCHEMA = json.loads((CHART / "values.schema.json").read_text())
MODULE = TERRAFORM / "modules" / "grimoire"

# What each expression of the module's values could be at apply time.
SAMPLES: dict[str, Any] = {
    "${var.name}": "grimoire",
    "${var.image.repository}": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/grimoire",
    "${var.image.tag}": "0.1.0",
    "${var.image.digest}": "",
    '${"https://${var.host}"}': "https://ml.acme.example",
    "${local.database_secret_name}": "grimoire-database",
    "${var.artifacts.root}": "s3://acme-ml-artifacts/grimoire",
    "${var.artifacts.region}": "eu-west-1",
    "${var.oidc.issuer}": "https://acme.okta.com/oauth2/default",
    "${var.oidc.client_id}": "0oa1grimoire",
    "${var.oidc.client_secret_name}": "grimoire-oidc",
    "${var.oidc.client_secret_key}": "clientSecret",
    "${var.oidc.audience}": "grimoire",
    "${var.oidc.groups_claim}": "groups",
    '${join(",", var.oidc.admin_groups)}': "ml-platform",
    "${var.webhooks_secret.name}": "grimoire-webhooks",
    "${var.webhooks_secret.key}": "encryptionKey",
    "${var.host}": "ml.acme.example",
    "${var.load_balancer_scheme}": "internet-facing",
    "${jsonencode([{HTTPS = 443}])}": '[{"HTTPS":443}]',
    "${var.certificate_arn}": "arn:aws:acm:eu-west-1:123456789012:certificate/0000",
    "${var.load_balancer_security_group_id}": "sg-0123456789abcdef0",
    "${var.replicas}": 2,
    "${var.artifacts.service_account_annotations}": {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/grimoire-artifacts"
    },
}


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = SCHEMA
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def unknown_keys(values: dict[str, Any], schema: dict[str, Any], path: str = "") -> list[str]:
    """Key paths of `values` the schema does not declare (free-form maps accept any key)."""
    schema = _resolve(schema)
    properties = schema.get("properties")
    if properties is None:
        return []
    missing = []
    for key, value in values.items():
        if key not in properties:
            missing.append(f"{path}{key}")
        elif isinstance(value, dict):
            missing.extend(unknown_keys(value, properties[key], f"{path}{key}."))
    return missing


def _module_values() -> dict[str, Any]:
    return locals_of(MODULE)["values"]


def _concrete(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _concrete(item) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("${"):
        if value == "${local.ingress_annotations}":
            return _concrete(locals_of(MODULE)["ingress_annotations"])
        assert value in SAMPLES, f"no sample for {value}: add one to SAMPLES"
        return SAMPLES[value]
    return value


def test_every_key_of_the_modules_values_exists_in_the_chart_schema():
    assert unknown_keys(_module_values(), SCHEMA) == []


def test_the_walk_finds_a_key_the_schema_does_not_have():
    values = {**_module_values(), "ingress": {"hostname": "x"}, "notAComponent": {"queues": []}}
    assert unknown_keys(values, SCHEMA) == ["ingress.hostname", "notAComponent"]
    # Through a $ref (the component definition) too.
    assert unknown_keys({"artifacts": {"serviceAccount": {"roleArn": "x"}}}, SCHEMA) == [
        "artifacts.serviceAccount.roleArn"
    ]


def _merged(defaults: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """What Helm validates: the chart's values.yaml with the release's values over it."""
    merged = dict(defaults)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and value:
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def test_the_values_pass_the_strict_schema_and_render():
    values = _concrete(_module_values())
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    jsonschema.validate(_merged(defaults, values), SCHEMA)
    report = helm_python.lint(str(CHART), values, strict=True, kube_version="v1.33.0")
    assert report["errors"] == []
    documents = render(values)
    ingress = find(documents, "Ingress", "grimoire")
    assert ingress["spec"]["ingressClassName"] == "alb"
    assert ingress["spec"]["rules"][0]["host"] == "ml.acme.example"
    annotations = ingress["metadata"]["annotations"]
    assert annotations["alb.ingress.kubernetes.io/security-groups"] == "sg-0123456789abcdef0"
    assert annotations["alb.ingress.kubernetes.io/certificate-arn"].startswith("arn:aws:acm:")
    account = find(documents, "ServiceAccount", "grimoire-artifacts")
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(
        "role/grimoire-artifacts"
    )
    for document in documents:
        if document["kind"] == "Deployment":
            environment = document["spec"]["template"]["spec"]["containers"][0]["env"]
            database = next(e for e in environment if e["name"] == "GRIMOIRE_DATABASE_URL")
            assert database["valueFrom"]["secretKeyRef"] == {
                "name": "grimoire-database",
                "key": "url",
            }


def test_the_database_url_secret_is_built_by_external_secrets_without_a_password_in_state():
    text = (MODULE / "main.tf").read_text()
    assert "aws_secretsmanager_secret_version" not in text  # reading it would store it in state
    assert "kubernetes_secret" not in text
    assert "{{ .password | urlquery }}" in text and "?ssl=require" in text


def test_the_identities_default_service_account_is_the_charts_artifacts_account():
    """The Pod Identity association names the ServiceAccount before the chart creates it."""
    accounts = named(load(TERRAFORM / "modules" / "identities"), "variable")["service_accounts"]
    release = named(load(MODULE), "variable")["name"]["default"]
    assert f'artifacts = optional(string, "{release}-artifacts")' in accounts["type"]
    assert _module_values()["fullnameOverride"] == "${var.name}"
    output = named(load(MODULE), "output")["artifacts_service_account"]
    assert output["value"] == '${"${var.name}-artifacts"}'
