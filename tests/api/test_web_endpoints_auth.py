"""The web UI's endpoints under authentication: roles decide who saves views and whose
experiments' runs a caller may count; /me hands a browser session its CSRF token."""

import httpx

from tests.fixtures.auth_helpers import grant, service_account, sign_in
from tests.fixtures.auth_stack import USERS, AuthStack

T, G = "/api/2.0/mlflow", "/api/2.0/grimoire"


def new_experiment(root: httpx.Client, name: str) -> str:
    response = root.post(f"{T}/experiments/create", json={"name": name})
    assert response.status_code == 200, response.text
    return response.json()["experiment_id"]


def test_a_reader_sees_views_but_cannot_save_or_delete_them(auth_stack: AuthStack) -> None:
    with auth_stack.api(auth_stack.root_token) as root:
        eid = new_experiment(root, f"views-{service_account(auth_stack, [])[0]}")
        body = {"experiment_id": eid, "name": "best", "state": "sort=metrics.loss"}
        assert root.post(f"{G}/experiment-views/save", json=body).status_code == 200
    reader, token = service_account(auth_stack, ["readers"])
    grant(auth_stack, reader, "experiment", eid, "READ")
    with auth_stack.api(token) as api:
        views = api.get(f"{G}/experiment-views/list", params={"experiment_id": eid})
        assert views.status_code == 200
        assert [(v["name"], v["created_by"]) for v in views.json()["views"]] == [
            ("best", "service:root")
        ]
        for path in ("save", "delete"):
            refused = api.post(f"{G}/experiment-views/{path}", json={**body, "state": "x"})
            assert refused.status_code == 403, refused.text
            assert refused.json()["error_code"] == "PERMISSION_DENIED"
    editor, token = service_account(auth_stack, ["editors"])
    grant(auth_stack, editor, "experiment", eid, "EDIT")
    with auth_stack.api(token) as api:
        saved = api.post(f"{G}/experiment-views/save", json={**body, "state": "page=2"})
        assert saved.status_code == 200
        (view,) = api.get(f"{G}/experiment-views/list", params={"experiment_id": eid}).json()[
            "views"
        ]
        assert (view["state"], view["created_by"]) == ("page=2", "service:root")


def test_run_counts_and_keys_only_for_experiments_the_caller_may_read(
    auth_stack: AuthStack,
) -> None:
    member, token = service_account(auth_stack, ["counters"])
    with auth_stack.api(auth_stack.root_token) as root:
        mine = new_experiment(root, f"counts-mine-{member}")
        theirs = new_experiment(root, f"counts-theirs-{member}")
        assert root.post(f"{T}/runs/create", json={"experiment_id": mine}).status_code == 200
    grant(auth_stack, member, "experiment", mine, "READ")
    with auth_stack.api(token) as api:
        allowed = api.get(f"{G}/experiments/run-counts", params={"experiment_ids": mine})
        assert allowed.status_code == 200
        assert allowed.json() == {"counts": {mine: 1}, "deleted_counts": {mine: 0}}
        for ids in ([theirs], [mine, theirs]):
            refused = api.get(f"{G}/experiments/run-counts", params={"experiment_ids": ids})
            assert refused.status_code == 403, refused.text
        keys = api.get(f"{G}/experiments/run-keys", params={"experiment_id": mine})
        assert keys.status_code == 200, keys.text
        refused = api.get(f"{G}/experiments/run-keys", params={"experiment_id": theirs})
        assert refused.status_code == 403, refused.text


def test_me_gives_a_browser_session_its_csrf_token_and_a_bearer_token_none(
    auth_stack: AuthStack,
) -> None:
    browser = sign_in(auth_stack.server.url, "alice", USERS["alice"]["password"])
    me = browser.get("/me", headers={"Accept": "application/json"})
    assert me.status_code == 200, me.text
    csrf = me.json()["csrf_token"]
    with auth_stack.api(auth_stack.root_token) as root:
        eid = new_experiment(root, f"csrf-{csrf[:8]}")
    grant(auth_stack, me.json()["name"], "experiment", eid, "EDIT")
    body = {"experiment_id": eid, "name": "mine", "state": ""}
    assert browser.post(f"{G}/experiment-views/save", json=body).status_code == 403
    saved = browser.post(f"{G}/experiment-views/save", json=body, headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 200, saved.text
    browser.close()
    with auth_stack.api(auth_stack.root_token) as root:
        assert "csrf_token" not in root.get("/me").json()
