"""Every route of the policy table x every role, asserting the exact status.

Principals (service accounts with Grimoire tokens): none (no grants), other (READ on another
team's experiment and model only), reader, editor, manager (READ / EDIT / MANAGE on the
world's experiment and registered model) and admin. A caller with the rule's role gets the
status an administrator gets for the same request (200 unless noted); anyone below gets 403.
Requests that change what the next caller would see run against a fresh world each time.
"""

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.core.auth.principal import RANK
from tests.fixtures.auth_helpers import grant, policy_table, service_account
from tests.fixtures.auth_stack import AuthStack

T, A, G = "/api/2.0/mlflow", "/api/2.0/mlflow-artifacts", "/api/2.0/grimoire"
X = "/ajax-api/2.0/mlflow-artifacts"
_counter = itertools.count()


def unique() -> str:
    return f"u{next(_counter)}-{uuid.uuid4().hex[:6]}"


@dataclass
class World:
    experiment: str
    experiment_name: str
    run: str
    logged_model: str
    model: str
    webhook: str

    @property
    def artifact(self) -> str:
        return f"{self.experiment}/{self.run}/artifacts/file.txt"


def build_world(root: httpx.Client) -> World:
    def ok(response: httpx.Response) -> dict:
        assert response.status_code == 200, response.text
        return response.json()

    name = f"matrix-{unique()}"
    experiment = ok(root.post(f"{T}/experiments/create", json={"name": name}))["experiment_id"]
    ok(
        root.post(
            f"{T}/experiments/set-experiment-tag",
            json={"experiment_id": experiment, "key": "t", "value": "v"},
        )
    )
    run = ok(root.post(f"{T}/runs/create", json={"experiment_id": experiment}))["run"]["info"][
        "run_id"
    ]
    ok(root.post(f"{T}/runs/set-tag", json={"run_id": run, "key": "t", "value": "v"}))
    ok(
        root.post(
            f"{T}/runs/log-metric", json={"run_id": run, "key": "m", "value": 1, "timestamp": 1}
        )
    )
    lm = ok(
        root.post(
            f"{T}/logged-models",
            json={"experiment_id": experiment, "tags": [{"key": "t", "value": "v"}]},
        )
    )["model"]["info"]["model_id"]
    ok(
        root.post(
            f"{T}/registered-models/create",
            json={"name": name, "tags": [{"key": "t", "value": "v"}]},
        )
    )
    ok(
        root.post(
            f"{T}/model-versions/create",
            json={"name": name, "source": "s3://b/m", "tags": [{"key": "t", "value": "v"}]},
        )
    )
    ok(
        root.post(
            f"{T}/registered-models/alias", json={"name": name, "alias": "champion", "version": "1"}
        )
    )
    assert (
        root.put(
            f"{A}/artifacts/{experiment}/{run}/artifacts/file.txt", content=b"hello"
        ).status_code
        == 200
    )
    hook = ok(
        root.post(
            f"{T}/webhooks",
            json={
                "name": "h",
                "url": "http://127.0.0.1:9/hook",
                "events": [{"entity": "MODEL_VERSION", "action": "CREATED"}],
                "status": "DISABLED",
            },
        )
    )
    return World(experiment, name, run, lm, name, hook["webhook"]["webhook_id"])


def saved_view(root: httpx.Client, experiment_id: str) -> str:
    """A fresh view (saved by the administrator) for a delete to remove."""
    name = unique()
    body = {"experiment_id": experiment_id, "name": name, "state": ""}
    assert root.post(f"{G}/experiment-views/save", json=body).status_code == 200
    return name


J = "/api/grimoire/v1/jobs"


def scheduled_run(root: httpx.Client, experiment_id: str) -> str:
    """A run as `grimoire run --backend kubernetes` creates it, before its job."""
    created = root.post(f"{T}/runs/create", json={"experiment_id": experiment_id})
    run = created.json()["run"]["info"]["run_id"]
    update = {"run_id": run, "status": "SCHEDULED"}
    assert root.post(f"{T}/runs/update", json=update).status_code == 200
    return run


def job_body(run_id: str) -> dict[str, Any]:
    source = {"type": "artifact", "path": "code/project.tar.gz"}
    return {"run_id": run_id, "source": source, "image": "registry.test/train:1"}


def submitted_job(root: httpx.Client, experiment_id: str) -> str:
    """A fresh job (submitted by the administrator) to read or cancel."""
    run = scheduled_run(root, experiment_id)
    assert root.post(J, json=job_body(run)).status_code == 200
    return run


Request = tuple[str, str, dict[str, Any]]
Sample = Callable[[World, httpx.Client], Request]


def get(url: str, **params: Any) -> Request:
    return ("GET", url, {"params": params})


def send(method: str, path: str, body: dict | None = None) -> Request:
    return (method, path, {"json": body or {}})


# (method, template) -> (sample builder, needs a fresh world, admin's status if not 200)
SAMPLES: dict[tuple[str, str], tuple[Sample, bool, int]] = {}


def sample(method: str, template: str, fresh: bool = False, status: int = 200):
    def register(build: Sample) -> Sample:
        SAMPLES[(method, template)] = (build, fresh, status)
        return build

    return register


def register_all() -> None:
    s = sample
    s("GET", "/metrics")(lambda w, r: get("/metrics"))
    s("GET", "/openapi.json")(lambda w, r: get("/openapi.json"))
    s("POST", "/auth/logout")(lambda w, r: ("POST", "/auth/logout", {}))
    s("GET", "/me")(lambda w, r: get("/me"))
    s("GET", "/api/3.0/mlflow/server-info")(lambda w, r: get("/api/3.0/mlflow/server-info"))
    s("GET", "/ajax-api/3.0/mlflow/server-info")(
        lambda w, r: get("/ajax-api/3.0/mlflow/server-info")
    )
    # experiments
    s("POST", f"{T}/experiments/create")(
        lambda w, r: send("POST", f"{T}/experiments/create", {"name": unique()})
    )
    s("GET", f"{T}/experiments/get")(
        lambda w, r: get(f"{T}/experiments/get", experiment_id=w.experiment)
    )
    s("GET", f"{T}/experiments/get-by-name")(
        lambda w, r: get(f"{T}/experiments/get-by-name", experiment_name=w.experiment_name)
    )
    s("GET", f"{T}/experiments/search")(lambda w, r: get(f"{T}/experiments/search"))
    s("POST", f"{T}/experiments/search")(lambda w, r: send("POST", f"{T}/experiments/search"))
    s("POST", f"{T}/experiments/update")(
        lambda w, r: send(
            "POST", f"{T}/experiments/update", {"experiment_id": w.experiment, "new_name": unique()}
        )
    )
    s("POST", f"{T}/experiments/delete", fresh=True)(
        lambda w, r: send("POST", f"{T}/experiments/delete", {"experiment_id": w.experiment})
    )

    @s("POST", f"{T}/experiments/restore", fresh=True)
    def restore_experiment(w: World, root: httpx.Client) -> Request:
        root.post(f"{T}/experiments/delete", json={"experiment_id": w.experiment})
        return send("POST", f"{T}/experiments/restore", {"experiment_id": w.experiment})

    s("POST", f"{T}/experiments/set-experiment-tag")(
        lambda w, r: send(
            "POST",
            f"{T}/experiments/set-experiment-tag",
            {"experiment_id": w.experiment, "key": "k", "value": "v"},
        )
    )
    s("POST", f"{T}/experiments/delete-experiment-tag", fresh=True)(
        lambda w, r: send(
            "POST",
            f"{T}/experiments/delete-experiment-tag",
            {"experiment_id": w.experiment, "key": "t"},
        )
    )
    # runs
    s("POST", f"{T}/runs/create")(
        lambda w, r: send("POST", f"{T}/runs/create", {"experiment_id": w.experiment})
    )
    s("GET", f"{T}/runs/get")(lambda w, r: get(f"{T}/runs/get", run_id=w.run))
    s("POST", f"{T}/runs/update")(
        lambda w, r: send("POST", f"{T}/runs/update", {"run_id": w.run, "status": "FINISHED"})
    )
    s("POST", f"{T}/runs/delete", fresh=True)(
        lambda w, r: send("POST", f"{T}/runs/delete", {"run_id": w.run})
    )

    @s("POST", f"{T}/runs/restore", fresh=True)
    def restore_run(w: World, root: httpx.Client) -> Request:
        root.post(f"{T}/runs/delete", json={"run_id": w.run})
        return send("POST", f"{T}/runs/restore", {"run_id": w.run})

    s("POST", f"{T}/runs/search")(
        lambda w, r: send("POST", f"{T}/runs/search", {"experiment_ids": [w.experiment]})
    )
    s("POST", f"{T}/runs/log-parameter")(
        lambda w, r: send(
            "POST", f"{T}/runs/log-parameter", {"run_id": w.run, "key": unique(), "value": "1"}
        )
    )
    s("POST", f"{T}/runs/log-metric")(
        lambda w, r: send(
            "POST",
            f"{T}/runs/log-metric",
            {"run_id": w.run, "key": "m", "value": 2, "timestamp": 2},
        )
    )
    s("POST", f"{T}/runs/log-batch")(
        lambda w, r: send(
            "POST",
            f"{T}/runs/log-batch",
            {"run_id": w.run, "metrics": [{"key": "m", "value": 3, "timestamp": 3}]},
        )
    )
    s("POST", f"{T}/runs/set-tag")(
        lambda w, r: send("POST", f"{T}/runs/set-tag", {"run_id": w.run, "key": "k", "value": "v"})
    )
    s("POST", f"{T}/runs/delete-tag", fresh=True)(
        lambda w, r: send("POST", f"{T}/runs/delete-tag", {"run_id": w.run, "key": "t"})
    )
    s("POST", f"{T}/runs/log-inputs")(
        lambda w, r: send(
            "POST",
            f"{T}/runs/log-inputs",
            {
                "run_id": w.run,
                "datasets": [
                    {"dataset": {"name": "d", "digest": "x", "source_type": "code", "source": "{}"}}
                ],
            },
        )
    )
    s("POST", f"{T}/runs/outputs")(
        lambda w, r: send(
            "POST",
            f"{T}/runs/outputs",
            {"run_id": w.run, "models": [{"model_id": w.logged_model, "step": 0}]},
        )
    )
    s("POST", f"{T}/runs/log-model")(
        lambda w, r: send(
            "POST", f"{T}/runs/log-model", {"run_id": w.run, "model_json": '{"artifact_path": "m"}'}
        )
    )
    s("GET", f"{T}/metrics/get-history")(
        lambda w, r: get(f"{T}/metrics/get-history", run_id=w.run, metric_key="m")
    )
    s("GET", f"{T}/metrics/get-history-bulk-interval")(
        lambda w, r: get(f"{T}/metrics/get-history-bulk-interval", run_ids=w.run, metric_key="m")
    )
    s("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval")(
        lambda w, r: get(
            "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval", run_ids=w.run, metric_key="m"
        )
    )
    s("GET", f"{T}/artifacts/list")(lambda w, r: get(f"{T}/artifacts/list", run_id=w.run))
    # the web UI's summaries and saved views
    s("GET", f"{G}/runs/metric-summaries")(
        lambda w, r: get(f"{G}/runs/metric-summaries", run_ids=w.run)
    )
    s("GET", f"{G}/experiments/run-counts")(
        lambda w, r: get(f"{G}/experiments/run-counts", experiment_ids=w.experiment)
    )
    s("GET", f"{G}/experiments/run-keys")(
        lambda w, r: get(f"{G}/experiments/run-keys", experiment_id=w.experiment)
    )
    s("GET", f"{G}/registered-models/my-role")(
        lambda w, r: get(f"{G}/registered-models/my-role", name=w.model)
    )
    views = f"{G}/experiment-views"
    s("GET", f"{views}/list")(lambda w, r: get(f"{views}/list", experiment_id=w.experiment))
    s("POST", f"{views}/save")(
        lambda w, r: send(
            "POST", f"{views}/save", {"experiment_id": w.experiment, "name": unique(), "state": ""}
        )
    )
    s("POST", f"{views}/delete")(
        lambda w, r: send(
            "POST",
            f"{views}/delete",
            {"experiment_id": w.experiment, "name": saved_view(r, w.experiment)},
        )
    )
    # logged models
    s("POST", f"{T}/logged-models")(
        lambda w, r: send("POST", f"{T}/logged-models", {"experiment_id": w.experiment})
    )
    s("POST", f"{T}/logged-models/search")(
        lambda w, r: send("POST", f"{T}/logged-models/search", {"experiment_ids": [w.experiment]})
    )
    lm = f"{T}/logged-models/{{model_id}}"
    s("GET", lm)(lambda w, r: get(f"{T}/logged-models/{w.logged_model}"))
    s("PATCH", lm)(
        lambda w, r: send(
            "PATCH", f"{T}/logged-models/{w.logged_model}", {"status": "LOGGED_MODEL_READY"}
        )
    )
    s("DELETE", lm, fresh=True)(lambda w, r: send("DELETE", f"{T}/logged-models/{w.logged_model}"))
    s("PATCH", f"{lm}/tags")(
        lambda w, r: send(
            "PATCH",
            f"{T}/logged-models/{w.logged_model}/tags",
            {"tags": [{"key": "k", "value": "v"}]},
        )
    )
    s("DELETE", f"{lm}/tags/{{tag_key:path}}", fresh=True)(
        lambda w, r: send("DELETE", f"{T}/logged-models/{w.logged_model}/tags/t")
    )
    s("POST", f"{lm}/params")(
        lambda w, r: send(
            "POST",
            f"{T}/logged-models/{w.logged_model}/params",
            {"params": [{"key": unique(), "value": "1"}]},
        )
    )
    s("GET", f"{lm}/artifacts/directories")(
        lambda w, r: get(f"{T}/logged-models/{w.logged_model}/artifacts/directories")
    )
    # registry
    rm, mv = f"{T}/registered-models", f"{T}/model-versions"
    s("POST", f"{rm}/create")(lambda w, r: send("POST", f"{rm}/create", {"name": unique()}))
    s("GET", f"{rm}/get")(lambda w, r: get(f"{rm}/get", name=w.model))
    s("GET", f"{rm}/search")(lambda w, r: get(f"{rm}/search"))
    s("POST", f"{rm}/rename", fresh=True)(
        lambda w, r: send("POST", f"{rm}/rename", {"name": w.model, "new_name": unique()})
    )
    s("PATCH", f"{rm}/update")(
        lambda w, r: send("PATCH", f"{rm}/update", {"name": w.model, "description": "d"})
    )
    s("DELETE", f"{rm}/delete", fresh=True)(
        lambda w, r: send("DELETE", f"{rm}/delete", {"name": w.model})
    )
    s("GET", f"{rm}/get-latest-versions")(
        lambda w, r: get(f"{rm}/get-latest-versions", name=w.model)
    )
    s("POST", f"{rm}/get-latest-versions")(
        lambda w, r: send("POST", f"{rm}/get-latest-versions", {"name": w.model})
    )
    s("POST", f"{rm}/set-tag")(
        lambda w, r: send("POST", f"{rm}/set-tag", {"name": w.model, "key": "k", "value": "v"})
    )
    s("DELETE", f"{rm}/delete-tag", fresh=True)(
        lambda w, r: send("DELETE", f"{rm}/delete-tag", {"name": w.model, "key": "t"})
    )
    s("POST", f"{rm}/alias")(
        lambda w, r: send(
            "POST",
            f"{rm}/alias",
            {"name": w.model, "alias": "a" + unique().replace("-", ""), "version": "1"},
        )
    )
    s("DELETE", f"{rm}/alias", fresh=True)(
        lambda w, r: send("DELETE", f"{rm}/alias", {"name": w.model, "alias": "champion"})
    )
    s("GET", f"{rm}/alias")(lambda w, r: get(f"{rm}/alias", name=w.model, alias="champion"))
    s("POST", f"{mv}/create")(
        lambda w, r: send("POST", f"{mv}/create", {"name": w.model, "source": "s3://b/n"})
    )
    s("GET", f"{mv}/get")(lambda w, r: get(f"{mv}/get", name=w.model, version="1"))
    s("PATCH", f"{mv}/update")(
        lambda w, r: send(
            "PATCH", f"{mv}/update", {"name": w.model, "version": "1", "description": "d"}
        )
    )
    s("DELETE", f"{mv}/delete", fresh=True)(
        lambda w, r: send("DELETE", f"{mv}/delete", {"name": w.model, "version": "1"})
    )
    s("GET", f"{mv}/search")(lambda w, r: get(f"{mv}/search"))
    s("POST", f"{mv}/transition-stage")(
        lambda w, r: send(
            "POST", f"{mv}/transition-stage", {"name": w.model, "version": "1", "stage": "Staging"}
        )
    )
    s("POST", f"{mv}/set-tag")(
        lambda w, r: send(
            "POST", f"{mv}/set-tag", {"name": w.model, "version": "1", "key": "k", "value": "v"}
        )
    )
    s("DELETE", f"{mv}/delete-tag", fresh=True)(
        lambda w, r: send(
            "DELETE", f"{mv}/delete-tag", {"name": w.model, "version": "1", "key": "t"}
        )
    )
    s("GET", f"{mv}/get-download-uri")(
        lambda w, r: get(f"{mv}/get-download-uri", name=w.model, version="1")
    )
    # webhooks (administrators only)
    wh = f"{T}/webhooks"
    s("POST", wh)(
        lambda w, r: send(
            "POST",
            wh,
            {
                "name": "n",
                "url": "http://127.0.0.1:9/h",
                "events": [{"entity": "MODEL_VERSION", "action": "CREATED"}],
            },
        )
    )
    s("GET", wh)(lambda w, r: get(wh))
    s("GET", f"{wh}/{{webhook_id}}")(lambda w, r: get(f"{wh}/{w.webhook}"))
    s("PATCH", f"{wh}/{{webhook_id}}")(
        lambda w, r: send("PATCH", f"{wh}/{w.webhook}", {"description": "d"})
    )
    s("DELETE", f"{wh}/{{webhook_id}}", fresh=True)(
        lambda w, r: send("DELETE", f"{wh}/{w.webhook}")
    )
    s("POST", f"{wh}/{{webhook_id}}/test")(lambda w, r: send("POST", f"{wh}/{w.webhook}/test"))
    s("GET", f"{wh}/{{webhook_id}}/deliveries")(lambda w, r: get(f"{wh}/{w.webhook}/deliveries"))
    s("POST", f"{wh}/{{webhook_id}}/deliveries/{{delivery_id}}/replay", status=400)(
        lambda w, r: send("POST", f"{wh}/{w.webhook}/deliveries/none/replay")
    )
    # jobs
    s("POST", J)(lambda w, r: send("POST", J, job_body(scheduled_run(r, w.experiment))))
    s("GET", J)(lambda w, r: get(J, experiment_id=w.experiment))
    s("GET", f"{J}/queues")(lambda w, r: get(f"{J}/queues"))
    s("GET", f"{J}/{{run_id}}")(lambda w, r: get(f"{J}/{submitted_job(r, w.experiment)}"))
    s("POST", f"{J}/{{run_id}}/cancel")(
        lambda w, r: send("POST", f"{J}/{submitted_job(r, w.experiment)}/cancel")
    )
    s("GET", f"{J}/{{run_id}}/logs")(lambda w, r: get(f"{J}/{submitted_job(r, w.experiment)}/logs"))
    # tokens, service accounts, grants, audit
    s("POST", f"{G}/tokens")(lambda w, r: send("POST", f"{G}/tokens", {"name": "matrix"}))
    s("GET", f"{G}/tokens")(lambda w, r: get(f"{G}/tokens"))
    s("DELETE", f"{G}/tokens/{{token_id}}", status=404)(
        lambda w, r: send("DELETE", f"{G}/tokens/no-such-token")
    )
    s("POST", f"{G}/service-accounts")(
        lambda w, r: send("POST", f"{G}/service-accounts", {"name": unique()})
    )
    s("GET", f"{G}/service-accounts")(lambda w, r: get(f"{G}/service-accounts"))

    @s("DELETE", f"{G}/service-accounts/{{name}}", fresh=True)
    def delete_account(w: World, root: httpx.Client) -> Request:
        name = unique()
        root.post(f"{G}/service-accounts", json={"name": name})
        return send("DELETE", f"{G}/service-accounts/{name}")

    @s("POST", f"{G}/service-accounts/{{name}}/tokens")
    def account_token(w: World, root: httpx.Client) -> Request:
        name = unique()
        root.post(f"{G}/service-accounts", json={"name": name})
        return send("POST", f"{G}/service-accounts/{name}/tokens", {"name": "t"})

    target = {"principal_type": "user", "principal": "someone", "resource_type": "experiment"}
    s("POST", f"{G}/permissions")(
        lambda w, r: send(
            "POST", f"{G}/permissions", {**target, "resource_id": w.experiment, "role": "READ"}
        )
    )

    @s("DELETE", f"{G}/permissions", fresh=True)
    def revoke(w: World, root: httpx.Client) -> Request:
        root.post(f"{G}/permissions", json={**target, "resource_id": w.experiment, "role": "READ"})
        return send("DELETE", f"{G}/permissions", {**target, "resource_id": w.experiment})

    s("GET", f"{G}/permissions")(
        lambda w, r: get(f"{G}/permissions", resource_type="experiment", resource_id=w.experiment)
    )
    s("GET", f"{G}/audit")(lambda w, r: get(f"{G}/audit"))
    # the artifact proxy, under both prefixes
    for prefix in (A, X):
        path = f"{prefix}/artifacts/{{artifact_path:path}}"
        s("GET", path)(lambda w, r, p=prefix: get(f"{p}/artifacts/{w.artifact}"))
        s("PUT", path)(
            lambda w, r, p=prefix: (
                "PUT",
                f"{p}/artifacts/{w.experiment}/{w.run}/artifacts/{unique()}.txt",
                {"content": b"x"},
            )
        )
        s("DELETE", path, fresh=True)(
            lambda w, r, p=prefix: send("DELETE", f"{p}/artifacts/{w.artifact}")
        )
        s("GET", f"{prefix}/artifacts")(
            lambda w, r, p=prefix: get(f"{p}/artifacts", path=f"{w.experiment}/{w.run}/artifacts")
        )
    s("POST", f"{A}/mpu/create/{{artifact_path:path}}")(
        lambda w, r: send(
            "POST",
            f"{A}/mpu/create/{w.experiment}/{w.run}/artifacts",
            {"path": "big.bin", "num_parts": 1},
        )
    )
    for action in ("complete", "abort"):
        s("POST", f"{A}/mpu/{action}/{{artifact_path:path}}", status=404)(
            lambda w, r, a=action: send(
                "POST",
                f"{A}/mpu/{a}/{w.experiment}/{w.run}/artifacts",
                {"path": "big.bin", "upload_id": "x" * 43, "parts": []},
            )
        )


register_all()
RULES = policy_table()
ROLES_OF = {
    "none": None,
    "other": None,
    "reader": "READ",
    "editor": "EDIT",
    "manager": "MANAGE",
    "admin": "ADMIN",
}


def _twin_of_a_route(method: str, path: str) -> bool:
    return path.startswith("/ajax-api/") and (method, "/api/" + path[10:]) in RULES


def test_the_matrix_covers_every_rule() -> None:
    # The /ajax-api/ twins carry their route's endpoint and so its rule (checked in
    # test_service_specs); the matrix needs each rule once, on the /api/ route.
    guarded = {
        key for key, rule in RULES.items() if rule.target != "public" and not _twin_of_a_route(*key)
    }
    assert guarded - set(SAMPLES) == set()


@pytest.fixture(scope="module")
def principals(auth_stack: AuthStack) -> dict[str, str]:
    tokens = {"admin": auth_stack.root_token}
    for name in ("none", "other", "reader", "editor", "manager"):
        tokens[name] = service_account(auth_stack, [f"team-{name}"])
    return tokens


def allowed(role_name: str, rule_role: str, target: str) -> bool:
    role = ROLES_OF[role_name]
    if target == "authenticated":
        return True
    if target in ("admin", "new_experiment", "new_registered_model"):  # no create right here
        return role == "ADMIN"
    return role is not None and RANK[role] >= RANK[rule_role]


@pytest.mark.parametrize("route", sorted(SAMPLES), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_by_role(route: tuple[str, str], auth_stack: AuthStack, principals: dict) -> None:
    build, fresh, admin_status = SAMPLES[route]
    rule = RULES[route]
    root = auth_stack.api(auth_stack.root_token)
    shared = build_world(root)
    other = build_world(root)
    tokens = {"admin": principals["admin"]}
    for name in ("none", "other", "reader", "editor", "manager"):
        principal, token = principals[name]
        tokens[name] = token
        if name == "other":
            grant(auth_stack, principal, "experiment", other.experiment, "MANAGE")
            grant(auth_stack, principal, "registered_model", other.model, "MANAGE")
    for name in ("none", "other", "reader", "editor", "manager", "admin"):
        world = build_world(root) if fresh else shared
        role = ROLES_OF[name]
        if role in ("READ", "EDIT", "MANAGE"):
            principal = principals[name][0]
            grant(auth_stack, principal, "experiment", world.experiment, role)
            grant(auth_stack, principal, "registered_model", world.model, role)
        method, path, kwargs = build(world, root)
        with auth_stack.api(tokens[name]) as api:
            response = api.request(method, path, **kwargs)
        expected = admin_status if allowed(name, rule.role, rule.target) else 403
        assert response.status_code == expected, (name, method, path, response.text[:300])
    root.close()
