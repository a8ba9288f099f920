"""The web service's shell: its headers, and what a browser sees before any page's data:
the sign-in round trip (hash kept), the auth-off banner, and controls by role."""

import re
import uuid

import httpx
from playwright.sync_api import Page, expect

from tests.fixtures.auth_helpers import grant
from tests.fixtures.auth_stack import AuthStack
from tests.fixtures.servers import RunningServer


def test_the_shell_is_uncached_with_a_strict_policy_and_assets_are_immutable(
    api: httpx.Client,
) -> None:
    shell = api.get("/")
    assert shell.status_code == 200
    assert shell.headers["content-type"].startswith("text/html")
    assert shell.headers["cache-control"] == "no-cache"
    assert "default-src 'self'" in shell.headers["content-security-policy"]
    assert shell.headers["x-content-type-options"] == "nosniff"
    script = re.search(r'src="(/static/assets/[^"]+\.js)"', shell.text)
    assert script, shell.text
    asset = api.get(script.group(1))
    assert asset.status_code == 200
    assert "javascript" in asset.headers["content-type"]
    assert "immutable" in asset.headers["cache-control"]


def test_only_built_files_are_served_and_other_paths_get_a_json_404(api: httpx.Client) -> None:
    for path in ("/static/..%2f..%2fspec.py", "/static/index.html", "/static/nope.js"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    unknown = api.get("/no/such/page")
    assert unknown.status_code == 404
    assert unknown.json()["error_code"] == "ENDPOINT_NOT_FOUND"


def sign_in_at_provider(page: Page, login: str, password: str) -> None:
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def new_experiment(stack: AuthStack) -> tuple[str, str]:
    name = f"web-{uuid.uuid4().hex[:8]}"
    with stack.api(stack.root_token) as api:
        created = api.post("/api/2.0/mlflow/experiments/create", json={"name": name})
        assert created.status_code == 200, created.text
        experiment_id = created.json()["experiment_id"]
        run = api.post(
            "/api/2.0/mlflow/runs/create",
            json={"experiment_id": experiment_id, "run_name": "first-run"},
        )
        assert run.status_code == 200, run.text
    return experiment_id, name


def test_an_unauthenticated_visit_signs_in_and_comes_back_to_the_page_hash_included(
    browser,  # noqa: F811
    auth_stack: AuthStack,
) -> None:
    experiment_id, name = new_experiment(auth_stack)
    grant(auth_stack, "alice@example.com", "experiment", experiment_id, "READ")
    target = f"{auth_stack.server.url}/#/experiments/{experiment_id}?filter=first"
    page = browser.new_page()
    page.goto(target)
    page.wait_for_url(f"{auth_stack.provider.url}/**")
    sign_in_at_provider(page, "alice", "wonderland")
    page.wait_for_url(target)
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_role("link", name="first-run")).to_be_visible()
    expect(page.get_by_text("alice@example.com")).to_be_visible()
    page.close()


def test_a_read_user_sees_no_edit_controls_and_a_manager_does(
    browser,  # noqa: F811
    auth_stack: AuthStack,
) -> None:
    experiment_id, name = new_experiment(auth_stack)
    grant(auth_stack, "bob@example.com", "experiment", experiment_id, "READ")
    grant(auth_stack, "carol@example.com", "experiment", experiment_id, "MANAGE")
    seen = {}
    for login, password in (("bob", "builder"), ("carol", "singer")):
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{auth_stack.server.url}/#/experiments/{experiment_id}")
        sign_in_at_provider(page, login, password)
        expect(page.get_by_role("link", name="first-run")).to_be_visible()
        seen[login, "runs"] = page.get_by_role("button", name="Delete").count()
        seen[login, "views"] = page.get_by_role("button", name="Save view").count()
        page.goto(f"{auth_stack.server.url}/#/experiments?filter={name}")
        expect(page.get_by_role("link", name=name)).to_be_visible()
        seen[login, "rename"] = page.get_by_role("button", name="Rename").count()
        context.close()
    assert seen == {
        ("bob", "runs"): 0,
        ("bob", "views"): 0,
        ("bob", "rename"): 0,
        ("carol", "runs"): 1,
        ("carol", "views"): 1,
        ("carol", "rename"): 1,
    }


def test_a_read_user_sees_no_edit_controls_on_the_run_page_and_a_manager_does(
    browser,  # noqa: F811
    auth_stack: AuthStack,
) -> None:
    experiment_id, _ = new_experiment(auth_stack)
    with auth_stack.api(auth_stack.root_token) as api:
        runs = api.post(
            "/api/2.0/mlflow/runs/search", json={"experiment_ids": [experiment_id]}
        ).json()["runs"]
        run_id = runs[0]["info"]["run_id"]
        tagged = api.post(
            "/api/2.0/mlflow/runs/set-tag", json={"run_id": run_id, "key": "owner", "value": "ana"}
        )
        assert tagged.status_code == 200, tagged.text
    grant(auth_stack, "bob@example.com", "experiment", experiment_id, "READ")
    grant(auth_stack, "carol@example.com", "experiment", experiment_id, "MANAGE")
    controls = ("Rename", "Edit description", "Add tag", "Remove tag owner")
    seen = {}
    for login, password in (("bob", "builder"), ("carol", "singer")):
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{auth_stack.server.url}/#/experiments/{experiment_id}/runs/{run_id}")
        sign_in_at_provider(page, login, password)
        expect(page.get_by_role("heading", name="first-run")).to_be_visible()
        expect(page.locator(".chip", has_text="owner")).to_be_visible()
        for control in controls:
            seen[login, control] = page.get_by_role("button", name=control).count()
        seen[login, "tag key box"] = page.get_by_label("Tag key").count()
        context.close()
    assert seen == {
        **{("bob", control): 0 for control in (*controls, "tag key box")},
        **{("carol", control): 1 for control in (*controls, "tag key box")},
    }


def test_with_auth_off_pages_open_directly_under_a_banner_and_create_works(
    browser,  # noqa: F811
    server: RunningServer,
) -> None:
    name = f"web-ui-{uuid.uuid4().hex[:8]}"
    page = browser.new_page()
    page.goto(server.url)
    expect(page.get_by_role("status")).to_contain_text("Authentication is off")
    page.get_by_label("New experiment name").fill(name)
    page.get_by_role("button", name="Create experiment").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    assert re.search(r"#/experiments/\d+$", page.url)
    page.close()
