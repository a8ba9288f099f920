"""Authentication and authorization against a real OIDC provider (npm oidc-provider)."""

import os
import re
import subprocess
import sys
import time
import uuid

import mlflow
import pytest
from mlflow import MlflowClient

from services.core.auth.policy import route_rules
from tests.fixtures.auth_helpers import forge, grant, service_account, sign_in, valid_claims
from tests.fixtures.auth_stack import AuthStack, new_key
from tests.fixtures.servers import REPO

API = "/api/2.0/mlflow"
G = "/api/2.0/grimoire"
PUBLIC = {
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/auth/login"),
    ("GET", "/auth/callback"),
    ("PUT", "/api/2.0/mlflow-artifacts/mpu/parts/{upload_id}/{part_number}"),
    # Its /ajax-api/ twin (docs/decisions/0004): the upload id is the credential.
    ("PUT", "/ajax-api/2.0/mlflow-artifacts/mpu/parts/{upload_id}/{part_number}"),
    # The web UI's shell and its built assets hold no data (docs/ui.md): every datum the
    # pages show comes from the APIs above, behind sign-in.
    ("GET", "/"),
    ("GET", "/static/{path:path}"),
}


def all_routes() -> list[tuple[str, str, bool]]:
    """(method, path template, is MLflow catalogue 501 route) of every service's app."""
    os.environ.setdefault("GRIMOIRE_AUTH_DISABLED", "true")  # building apps needs no issuer
    from services.server import GrimoireServer

    return sorted({(r.method, r.template, r.catalogue) for r in route_rules(GrimoireServer().apps)})


def test_every_route_has_a_rule() -> None:
    os.environ.setdefault("GRIMOIRE_AUTH_DISABLED", "true")
    from services.server import GrimoireServer

    missing = [(r.method, r.template) for r in route_rules(GrimoireServer().apps) if r.rule is None]
    assert missing == []


def test_no_route_is_reachable_without_authentication(auth_stack: AuthStack) -> None:
    checked = 0
    with auth_stack.api() as anonymous:
        for method, template, _ in all_routes():
            path = re.sub(r"\{[^}]+\}", "x1", template)
            response = anonymous.request(method, path, json={} if method != "GET" else None)
            guard_refused = response.status_code == 401 and response.json()["message"].startswith(
                "Authentication required"
            )
            if (method, template) in PUBLIC:
                assert not guard_refused, (method, path)
                continue
            assert guard_refused, (method, path, response.status_code)
            assert response.json()["error_code"] == "UNAUTHENTICATED"
            assert response.headers["www-authenticate"].startswith("Bearer")
            checked += 1
    assert checked > 150  # every MLflow endpoint, implemented or 501, and Grimoire's own


def test_mlflow_client_with_idp_bearer_token_and_with_basic_token_password(
    auth_stack: AuthStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pipeline's client_credentials token from the IdP, allowed through its group.
    with auth_stack.api(auth_stack.root_token) as root:
        root.post(
            f"{G}/permissions",
            json={
                "principal_type": "group",
                "principal": "ci-pipelines",
                "resource_type": "default",
                "resource_id": "*",
                "role": "EDIT",
            },
        )
    monkeypatch.setenv("MLFLOW_TRACKING_URI", auth_stack.server.url)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", auth_stack.provider.client_credentials_token())
    mlflow.set_tracking_uri(auth_stack.server.url)
    mlflow.set_experiment(f"pipeline-{uuid.uuid4().hex[:6]}")
    with mlflow.start_run() as run:
        mlflow.log_param("source", "ci")
        mlflow.log_metric("auc", 0.91)
        mlflow.log_text("report", "report.txt")
    assert MlflowClient().get_run(run.info.run_id).data.metrics == {"auc": 0.91}

    # A Grimoire token as the Basic password (MLFLOW_TRACKING_USERNAME / _PASSWORD).
    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN")
    name, token = service_account(auth_stack, ["ml-team"])
    grant(auth_stack, name, "experiment", run.info.experiment_id, "READ")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "anything")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", token)
    fetched = MlflowClient().get_run(run.info.run_id)
    assert fetched.data.params == {"source": "ci"}
    assert mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/report.txt") == "report"
    with pytest.raises(mlflow.exceptions.MlflowException) as denied:
        MlflowClient().log_param(run.info.run_id, "x", "1")  # READ only
    assert denied.value.error_code == "PERMISSION_DENIED"
    mlflow.set_tracking_uri(None)


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "not_yet_valid",
        "tampered",
        "wrong_issuer",
        "wrong_audience",
        "unknown_key",
        "garbage",
    ],
)
def test_bad_jwts_are_401(auth_stack: AuthStack, case: str) -> None:
    key = auth_stack.signing_key
    now = int(time.time())
    tokens = {
        "expired": lambda: forge(key, **valid_claims(auth_stack, exp=now - 3600, iat=now - 7200)),
        "not_yet_valid": lambda: forge(key, **valid_claims(auth_stack, nbf=now + 3600)),
        "wrong_issuer": lambda: forge(key, **valid_claims(auth_stack, iss="https://evil.example")),
        "wrong_audience": lambda: forge(key, **valid_claims(auth_stack, aud="someone-else")),
        "unknown_key": lambda: forge(new_key("attacker"), **valid_claims(auth_stack)),
        "garbage": lambda: "not.a.jwt",
    }
    if case == "tampered":
        header, payload, signature = forge(key, **valid_claims(auth_stack)).split(".")
        other = forge(key, **valid_claims(auth_stack, groups=["grimoire-admins"])).split(".")[1]
        token = f"{header}.{other}.{signature[::-1]}"
    else:
        token = tokens[case]()
    with auth_stack.api(token) as api:
        response = api.get(f"{API}/experiments/get", params={"experiment_id": "0"})
    assert response.status_code == 401, case
    assert response.json()["error_code"] == "UNAUTHENTICATED"
    # The same key and claims, valid, are accepted: the refusals above are for the defect.
    with auth_stack.api(forge(key, **valid_claims(auth_stack))) as api:
        assert api.get(f"{API}/experiments/search").status_code == 200


def test_revoked_and_expired_grimoire_tokens_are_401(auth_stack: AuthStack) -> None:
    name, token = service_account(auth_stack, [])
    with auth_stack.api(token) as api:
        assert api.get(f"{API}/experiments/search").status_code == 200
        short = api.post(f"{G}/tokens", json={"name": "short", "expires_in_days": 1 / 86400})
        assert short.status_code == 200
        short_token = short.json()["token"]["token"]
        listed = api.get(f"{G}/tokens").json()["tokens"]
        assert {t["name"] for t in listed} >= {"t", "short"}
        assert all("token" not in t for t in listed)  # never shown again
    time.sleep(1.5)
    with auth_stack.api(short_token) as api:
        assert api.get(f"{API}/experiments/search").status_code == 401
    with auth_stack.api(auth_stack.root_token) as root:
        token_id = next(
            t["token_id"]
            for t in root.get(f"{G}/tokens", params={"all": "true"}).json()["tokens"]
            if t["owner"] == name and t["name"] == "t"
        )
        assert root.delete(f"{G}/tokens/{token_id}").status_code == 200
    with auth_stack.api(token) as api:
        assert api.get(f"{API}/experiments/search").status_code == 401


def test_key_rotation_at_the_provider(auth_stack: AuthStack) -> None:
    provider = auth_stack.provider
    with auth_stack.api(auth_stack.root_token) as root:
        root.post(
            f"{G}/permissions",
            json={
                "principal_type": "group",
                "principal": "ci-pipelines",
                "resource_type": "default",
                "resource_id": "*",
                "role": "READ",
            },
        )
    before = provider.client_credentials_token()
    with auth_stack.api(before) as api:
        assert api.get(f"{API}/experiments/search").status_code == 200
    rotated = new_key("key-2")
    provider.stop()
    provider.start([rotated, auth_stack.signing_key])  # the new key signs; the old one verifies
    try:
        time.sleep(1.1)  # GRIMOIRE_AUTH_JWKS_REFRESH_SECONDS=1 in this stack
        after = provider.client_credentials_token()
        assert (
            '"kid":"key-2"'
            in __import__("base64").urlsafe_b64decode(after.split(".")[0] + "==").decode()
        )
        with auth_stack.api(after) as api:
            assert api.get(f"{API}/experiments/search").status_code == 200
        with auth_stack.api(before) as api:  # still valid: the old key is still published
            assert api.get(f"{API}/experiments/search").status_code == 200
    finally:
        provider.stop()
        provider.start([auth_stack.signing_key])


def test_session_sign_in_me_csrf_and_logout(auth_stack: AuthStack) -> None:
    name = f"csrf-{uuid.uuid4().hex[:6]}"
    with auth_stack.api(auth_stack.root_token) as root:
        experiment_id = root.post(f"{API}/experiments/create", json={"name": name}).json()[
            "experiment_id"
        ]
    # The provider sends no preferred_username, so the name is the email (username_claims).
    grant(auth_stack, "alice@example.com", "experiment", experiment_id, "EDIT")
    wrong = sign_in(auth_stack.server.url, "alice", "not-her-password")
    assert "grimoire_session" not in wrong.cookies
    browser = sign_in(auth_stack.server.url, "alice", "wonderland")
    me = browser.get("/me").json()
    assert (me["name"], me["groups"], me["is_admin"]) == ("alice@example.com", ["ml-team"], False)
    assert {
        "resource_type": "experiment",
        "resource_id": experiment_id,
        "role": "EDIT",
        "via": "user:alice@example.com",
        "resource_name": name,
    } in me["grants"]
    page = browser.get("/me", headers={"Accept": "text/html"}).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    tag = {"experiment_id": experiment_id, "key": "k", "value": "v"}
    assert browser.post(f"{API}/experiments/set-experiment-tag", json=tag).status_code == 403
    ok = browser.post(
        f"{API}/experiments/set-experiment-tag", json=tag, headers={"X-CSRF-Token": csrf}
    )
    assert ok.status_code == 200
    assert browser.post("/auth/logout", data={"csrf_token": "forged"}).status_code == 403
    assert browser.post("/auth/logout", data={"csrf_token": csrf}).status_code == 200
    assert browser.get("/me").status_code == 401


def test_admin_group_from_the_idp(auth_stack: AuthStack) -> None:
    ada = sign_in(auth_stack.server.url, "ada", "lovelace")
    assert ada.get("/me").json()["is_admin"] is True
    assert ada.get(f"{API}/webhooks").status_code == 200


def test_search_results_and_paging_only_show_readable_resources(auth_stack: AuthStack) -> None:
    suffix = uuid.uuid4().hex[:6]
    with auth_stack.api(auth_stack.root_token) as root:
        mine = [
            root.post(f"{API}/experiments/create", json={"name": f"vis-{suffix}-mine-{i}"}).json()[
                "experiment_id"
            ]
            for i in range(3)
        ]
        theirs = [
            root.post(
                f"{API}/experiments/create", json={"name": f"vis-{suffix}-theirs-{i}"}
            ).json()["experiment_id"]
            for i in range(3)
        ]
        for experiment_id in mine + theirs:
            for _ in range(2):
                root.post(f"{API}/runs/create", json={"experiment_id": experiment_id})
            root.post(f"{API}/logged-models", json={"experiment_id": experiment_id})
        for model in ("mine", "theirs"):
            root.post(f"{API}/registered-models/create", json={"name": f"vis-{suffix}-{model}"})
    name, token = service_account(auth_stack, ["vision"])
    for experiment_id in mine:
        grant(auth_stack, name, "experiment", experiment_id, "READ")
    grant(auth_stack, name, "registered_model", f"vis-{suffix}-mine", "READ")
    with auth_stack.api(token) as api:
        seen, page_token = [], None
        while True:
            body = {"filter": f"name LIKE 'vis-{suffix}%'", "max_results": 1}
            if page_token:
                body["page_token"] = page_token
            page = api.post(f"{API}/experiments/search", json=body).json()
            seen += [e["experiment_id"] for e in page.get("experiments", [])]
            page_token = page.get("next_page_token")
            if not page_token:
                break
        assert sorted(seen) == sorted(mine)
        runs = api.post(
            f"{API}/runs/search", json={"experiment_ids": mine + theirs, "max_results": 4}
        ).json()
        assert len(runs["runs"]) == 4 and {r["info"]["experiment_id"] for r in runs["runs"]} <= set(
            mine
        )
        rest = api.post(
            f"{API}/runs/search",
            json={
                "experiment_ids": mine + theirs,
                "max_results": 4,
                "page_token": runs["next_page_token"],
            },
        ).json()
        assert len(rest["runs"]) == 2 and "next_page_token" not in rest
        logged = api.post(
            f"{API}/logged-models/search", json={"experiment_ids": mine + theirs}
        ).json()
        assert sorted(m["info"]["experiment_id"] for m in logged["models"]) == sorted(mine)
        models = api.get(
            f"{API}/registered-models/search", params={"filter": f"name LIKE 'vis-{suffix}%'"}
        ).json()
        assert [m["name"] for m in models["registered_models"]] == [f"vis-{suffix}-mine"]
        assert (
            api.get(f"{API}/experiments/get", params={"experiment_id": theirs[0]}).status_code
            == 403
        )


def test_creator_manages_and_audit_log_records_who_did_what(auth_stack: AuthStack) -> None:
    creator, token = service_account(auth_stack, ["makers"])
    with auth_stack.api(auth_stack.root_token) as root:
        root.post(
            f"{G}/permissions",
            json={
                "principal_type": "group",
                "principal": "makers",
                "resource_type": "default",
                "resource_id": "*",
                "role": "EDIT",
            },
        )
    model = f"audited-{uuid.uuid4().hex[:6]}"
    with auth_stack.api(token) as api:
        experiment_id = api.post(f"{API}/experiments/create", json={"name": model}).json()[
            "experiment_id"
        ]
        api.post(f"{API}/registered-models/create", json={"name": model})
        api.post(f"{API}/model-versions/create", json={"name": model, "source": "s3://b/m"})
        assert (
            api.post(
                f"{API}/registered-models/alias",
                json={"name": model, "alias": "champion", "version": "1"},
            ).status_code
            == 200
        )
        assert (
            api.post(
                f"{API}/model-versions/transition-stage",
                json={"name": model, "version": "1", "stage": "Production"},
            ).status_code
            == 200
        )
        # creator of the experiment manages it: may grant and delete
        assert (
            api.post(
                f"{G}/permissions",
                json={
                    "principal_type": "user",
                    "principal": "bob",
                    "resource_type": "experiment",
                    "resource_id": experiment_id,
                    "role": "READ",
                },
            ).status_code
            == 200
        )
        assert (
            api.request(
                "DELETE",
                f"{G}/permissions",
                json={
                    "principal_type": "user",
                    "principal": "bob",
                    "resource_type": "experiment",
                    "resource_id": experiment_id,
                },
            ).status_code
            == 200
        )
        assert (
            api.post(f"{API}/experiments/delete", json={"experiment_id": experiment_id}).status_code
            == 200
        )
        assert (
            api.request(
                "DELETE", f"{API}/model-versions/delete", json={"name": model, "version": "1"}
            ).status_code
            == 200
        )
    with auth_stack.api(auth_stack.root_token) as root:
        entries = root.get(f"{G}/audit", params={"limit": 50}).json()["entries"]
    mine = [(e["action"], e["actor"]) for e in entries if e["actor"] == creator]
    for action in (
        "alias.set",
        "stage.transition",
        "permission.grant",
        "permission.revoke",
        "experiment.delete",
        "model_version.delete",
    ):
        assert (action, creator) in mine, (action, mine)
    assert all(e["at"] > 0 for e in entries)


def test_cli_creates_and_revokes_tokens(auth_stack: AuthStack) -> None:
    name, token = service_account(auth_stack, [])
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": auth_stack.server.url,
        "MLFLOW_TRACKING_TOKEN": token,
    }
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli",
            "token",
            "create",
            "--name",
            "laptop",
            "--expires",
            "30d",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    new_token = created.stdout.strip().splitlines()[-1]
    assert new_token.startswith("gmr_")
    with auth_stack.api(new_token) as api:
        assert api.get(f"{API}/experiments/search").status_code == 200
        token_id = next(
            t["token_id"] for t in api.get(f"{G}/tokens").json()["tokens"] if t["name"] == "laptop"
        )
    subprocess.run(
        [sys.executable, "-m", "services.cli", "token", "revoke", token_id],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    with auth_stack.api(new_token) as api:
        assert api.get(f"{API}/experiments/search").status_code == 401


def test_model_version_downloads_are_authorized_through_the_registered_model(
    auth_stack: AuthStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.linear_model import LogisticRegression

    monkeypatch.setenv("MLFLOW_TRACKING_URI", auth_stack.server.url)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", auth_stack.root_token)
    mlflow.set_tracking_uri(auth_stack.server.url)
    name = f"shared-{uuid.uuid4().hex[:6]}"
    mlflow.set_experiment(f"private-{name}")
    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    with mlflow.start_run() as run:
        mlflow.log_text("not for consumers", "notes/private.txt")
        mlflow.sklearn.log_model(
            model, name="model", registered_model_name=name, pip_requirements=["scikit-learn"]
        )
    consumer, token = service_account(auth_stack, ["consumers"])
    grant(auth_stack, consumer, "registered_model", name, "READ")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)
    loaded = mlflow.sklearn.load_model(f"models:/{name}/1")
    assert list(loaded.predict([[0.0], [3.0]])) == [0, 1]
    with pytest.raises(mlflow.exceptions.MlflowException) as denied:
        mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/notes/private.txt")
    assert "PERMISSION_DENIED" in str(denied.value) or "403" in str(denied.value)
    mlflow.set_tracking_uri(None)
