"""Who may call what: every route of every service, in one table.

A rule names what the request acts on (and where its id is in the request) and the role it
needs there. The guard applies it before the endpoint runs; a route without a rule is
refused (fail closed), and a test checks that every route has one.
"""

from dataclasses import dataclass
from typing import Any

from services.core.gate import CATALOGUE_ROUTE_PREFIX


@dataclass(frozen=True)
class Rule:
    # public | authenticated | admin | new_experiment | new_registered_model
    # | experiment | experiment_by_name | run | runs | logged_model | model | artifact
    # | grant_target
    target: str
    role: str = "READ"
    field: str | None = None  # request field (query, JSON body or path) holding the id
    audit: str | None = None  # audit action written when the call succeeds


PUBLIC = Rule("public")
AUTHENTICATED = Rule("authenticated")
ADMIN = Rule("admin", "ADMIN")


def experiment(role: str, audit: str | None = None) -> Rule:
    return Rule("experiment", role, "experiment_id", audit)


def run(role: str, audit: str | None = None) -> Rule:
    return Rule("run", role, "run_id", audit)


def logged_model(role: str, audit: str | None = None) -> Rule:
    return Rule("logged_model", role, "model_id", audit)


def model(role: str, audit: str | None = None) -> Rule:
    return Rule("model", role, "name", audit)


def artifact(role: str, field: str = "artifact_path") -> Rule:
    return Rule("artifact", role, field)


T = "/api/2.0/mlflow"
A = "/api/2.0/mlflow-artifacts"
G = "/api/2.0/grimoire"

RULES: dict[tuple[str, str], Rule] = {
    # probes and the sign-in flow
    ("GET", "/health"): PUBLIC,
    ("GET", "/ready"): PUBLIC,
    ("GET", "/auth/login"): PUBLIC,
    ("GET", "/auth/callback"): PUBLIC,
    # multipart part uploads carry their own capability (the upload id), as presigned URLs do
    ("PUT", f"{A}/mpu/parts/{{upload_id}}/{{part_number}}"): PUBLIC,
    ("GET", "/metrics"): AUTHENTICATED,
    ("GET", "/openapi.json"): AUTHENTICATED,
    ("POST", "/auth/logout"): AUTHENTICATED,
    ("GET", "/me"): AUTHENTICATED,
    ("GET", "/api/3.0/mlflow/server-info"): AUTHENTICATED,
    ("GET", "/ajax-api/3.0/mlflow/server-info"): AUTHENTICATED,
    # experiments
    ("POST", f"{T}/experiments/create"): Rule("new_experiment", "EDIT", "name"),
    ("GET", f"{T}/experiments/get"): experiment("READ"),
    ("GET", f"{T}/experiments/get-by-name"): Rule("experiment_by_name", "READ", "experiment_name"),
    ("GET", f"{T}/experiments/search"): AUTHENTICATED,  # results filtered to what is readable
    ("POST", f"{T}/experiments/search"): AUTHENTICATED,
    ("POST", f"{T}/experiments/update"): experiment("EDIT"),
    ("POST", f"{T}/experiments/delete"): experiment("MANAGE", "experiment.delete"),
    ("POST", f"{T}/experiments/restore"): experiment("MANAGE", "experiment.restore"),
    ("POST", f"{T}/experiments/set-experiment-tag"): experiment("EDIT"),
    ("POST", f"{T}/experiments/delete-experiment-tag"): experiment("EDIT"),
    # runs
    ("POST", f"{T}/runs/create"): experiment("EDIT"),
    ("GET", f"{T}/runs/get"): run("READ"),
    ("POST", f"{T}/runs/update"): run("EDIT"),
    ("POST", f"{T}/runs/delete"): run("MANAGE", "run.delete"),
    ("POST", f"{T}/runs/restore"): run("MANAGE", "run.restore"),
    ("POST", f"{T}/runs/search"): AUTHENTICATED,  # experiment ids filtered to readable ones
    ("POST", f"{T}/runs/log-parameter"): run("EDIT"),
    ("POST", f"{T}/runs/log-metric"): run("EDIT"),
    ("POST", f"{T}/runs/log-batch"): run("EDIT"),
    ("POST", f"{T}/runs/set-tag"): run("EDIT"),
    ("POST", f"{T}/runs/delete-tag"): run("EDIT"),
    ("POST", f"{T}/runs/log-inputs"): run("EDIT"),
    ("POST", f"{T}/runs/outputs"): run("EDIT"),
    ("POST", f"{T}/runs/log-model"): run("EDIT"),
    ("GET", f"{T}/metrics/get-history"): run("READ"),
    ("GET", f"{T}/metrics/get-history-bulk-interval"): Rule("runs", "READ", "run_ids"),
    ("GET", f"{T}/artifacts/list"): run("READ"),
    # logged models
    ("POST", f"{T}/logged-models"): experiment("EDIT"),
    ("POST", f"{T}/logged-models/search"): AUTHENTICATED,
    ("GET", f"{T}/logged-models/{{model_id}}"): logged_model("READ"),
    ("PATCH", f"{T}/logged-models/{{model_id}}"): logged_model("EDIT"),
    ("DELETE", f"{T}/logged-models/{{model_id}}"): logged_model("MANAGE", "logged_model.delete"),
    ("PATCH", f"{T}/logged-models/{{model_id}}/tags"): logged_model("EDIT"),
    ("DELETE", f"{T}/logged-models/{{model_id}}/tags/{{tag_key:path}}"): logged_model("EDIT"),
    ("POST", f"{T}/logged-models/{{model_id}}/params"): logged_model("EDIT"),
    ("GET", f"{T}/logged-models/{{model_id}}/artifacts/directories"): logged_model("READ"),
    # registry
    ("POST", f"{T}/registered-models/create"): Rule("new_registered_model", "EDIT", "name"),
    ("GET", f"{T}/registered-models/get"): model("READ"),
    ("GET", f"{T}/registered-models/search"): AUTHENTICATED,
    ("POST", f"{T}/registered-models/rename"): model("EDIT", "registered_model.rename"),
    ("PATCH", f"{T}/registered-models/update"): model("EDIT"),
    ("DELETE", f"{T}/registered-models/delete"): model("MANAGE", "registered_model.delete"),
    ("GET", f"{T}/registered-models/get-latest-versions"): model("READ"),
    ("POST", f"{T}/registered-models/get-latest-versions"): model("READ"),
    ("POST", f"{T}/registered-models/set-tag"): model("EDIT"),
    ("DELETE", f"{T}/registered-models/delete-tag"): model("EDIT"),
    ("POST", f"{T}/registered-models/alias"): model("EDIT", "alias.set"),
    ("DELETE", f"{T}/registered-models/alias"): model("EDIT", "alias.delete"),
    ("GET", f"{T}/registered-models/alias"): model("READ"),
    ("POST", f"{T}/model-versions/create"): model("EDIT"),
    ("GET", f"{T}/model-versions/get"): model("READ"),
    ("PATCH", f"{T}/model-versions/update"): model("EDIT"),
    ("DELETE", f"{T}/model-versions/delete"): model("MANAGE", "model_version.delete"),
    ("GET", f"{T}/model-versions/search"): AUTHENTICATED,
    ("POST", f"{T}/model-versions/transition-stage"): model("EDIT", "stage.transition"),
    ("POST", f"{T}/model-versions/set-tag"): model("EDIT"),
    ("DELETE", f"{T}/model-versions/delete-tag"): model("EDIT"),
    ("GET", f"{T}/model-versions/get-download-uri"): model("READ"),
    # webhooks reach outside: administrators only
    ("POST", f"{T}/webhooks"): Rule("admin", "ADMIN", audit="webhook.create"),
    ("GET", f"{T}/webhooks"): ADMIN,
    ("GET", f"{T}/webhooks/{{webhook_id}}"): ADMIN,
    ("PATCH", f"{T}/webhooks/{{webhook_id}}"): Rule("admin", "ADMIN", audit="webhook.update"),
    ("DELETE", f"{T}/webhooks/{{webhook_id}}"): Rule("admin", "ADMIN", audit="webhook.delete"),
    ("POST", f"{T}/webhooks/{{webhook_id}}/test"): ADMIN,
    ("GET", f"{T}/webhooks/{{webhook_id}}/deliveries"): ADMIN,
    ("POST", f"{T}/webhooks/{{webhook_id}}/deliveries/{{delivery_id}}/replay"): Rule(
        "admin", "ADMIN", audit="webhook.replay"
    ),
    # tokens, service accounts, grants, audit
    ("POST", f"{G}/tokens"): AUTHENTICATED,
    ("GET", f"{G}/tokens"): AUTHENTICATED,
    ("DELETE", f"{G}/tokens/{{token_id}}"): Rule("authenticated", audit="token.revoke"),
    ("POST", f"{G}/service-accounts"): Rule("admin", "ADMIN", audit="service_account.create"),
    ("GET", f"{G}/service-accounts"): ADMIN,
    ("DELETE", f"{G}/service-accounts/{{name}}"): Rule(
        "admin", "ADMIN", audit="service_account.delete"
    ),
    ("POST", f"{G}/service-accounts/{{name}}/tokens"): Rule(
        "admin", "ADMIN", audit="service_account.token"
    ),
    ("POST", f"{G}/permissions"): Rule("grant_target", "MANAGE", audit="permission.grant"),
    ("DELETE", f"{G}/permissions"): Rule("grant_target", "MANAGE", audit="permission.revoke"),
    ("GET", f"{G}/permissions"): Rule("grant_target", "MANAGE"),
    ("GET", f"{G}/audit"): ADMIN,
}

# The artifact proxy, under both of MLflow's prefixes.
for _prefix in (A, "/ajax-api/2.0/mlflow-artifacts"):
    RULES[("GET", f"{_prefix}/artifacts/{{artifact_path:path}}")] = artifact("READ")
    RULES[("PUT", f"{_prefix}/artifacts/{{artifact_path:path}}")] = artifact("EDIT")
    RULES[("DELETE", f"{_prefix}/artifacts/{{artifact_path:path}}")] = artifact("EDIT")
    RULES[("GET", f"{_prefix}/artifacts")] = artifact("READ", "path")
for _action in ("create", "complete", "abort"):
    RULES[("POST", f"{A}/mpu/{_action}/{{artifact_path:path}}")] = artifact("EDIT")


def rule_for(method: str, template: str | None, is_mlflow_catalogue: bool) -> Rule | None:
    """The rule of a matched route. Unmatched paths (404) and MLflow endpoints we answer 501
    still need authentication, so nothing about the server leaks to anonymous callers."""
    if template is None or is_mlflow_catalogue:
        return AUTHENTICATED
    return RULES.get((method, template))


@dataclass(frozen=True)
class RouteRule:
    service: str
    method: str
    template: str
    rule: Rule | None  # None: refused by the guard (a route without a rule)
    catalogue: bool  # an MLflow endpoint answered 501


def route_rules(apps: dict[str, Any]) -> list[RouteRule]:
    """Every route of the given service apps with the rule the guard applies to it: the
    one-table view for audit (`grimoire policy`) and for the "every route has a rule" test."""
    found = set()
    for service, app in apps.items():
        for route in app.routes:
            catalogue = (getattr(route, "name", "") or "").startswith(CATALOGUE_ROUTE_PREFIX)
            for method in (getattr(route, "methods", None) or {"GET"}) - {"HEAD", "OPTIONS"}:
                rule = rule_for(method, route.path, catalogue)
                found.add(RouteRule(service, method, route.path, rule, catalogue))
    return sorted(found, key=lambda r: (r.template, r.method, r.service))
