"""The registry pages in a browser, one test per role (READ, EDIT, MANAGE, administrator; each
user in a different group), on a model the real mlflow client registered twice with
`log_model(..., registered_model_name=)`, against a real server with the real OIDC provider."""

import base64
import hashlib
import hmac
import re
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.fixtures.auth_helpers import grant, sign_in
from tests.fixtures.auth_stack import AuthStack
from tests.fixtures.receiver import Receiver
from tests.fixtures.servers import RunningServer

API = "/api/2.0/mlflow"
SECRET = "registry-ui-signing-key"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# (login, password, group, role on the model); ada is in the administrators' group.
PEOPLE = {
    "READ": ("bob", "builder", "other-team"),
    "EDIT": ("alice", "wonderland", "ml-team"),
    "MANAGE": ("carol", "singer", "analysts"),
    "ADMIN": ("ada", "lovelace", "grimoire-admins"),
}
EVENTS = [
    {"entity": "MODEL_VERSION_ALIAS", "action": "CREATED"},
    {"entity": "MODEL_VERSION_STAGE", "action": "TRANSITIONED"},
]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture(scope="module")
def registered(auth_stack: AuthStack, receiver: Receiver) -> Iterator[dict[str, str]]:
    """Two versions of one model from two runs, v1 in Production with the alias champion."""
    import mlflow
    import pandas as pd
    from mlflow import MlflowClient
    from sklearn.linear_model import LogisticRegression

    previous = mlflow.get_tracking_uri()
    patch = pytest.MonkeyPatch()
    patch.setenv("MLFLOW_TRACKING_URI", auth_stack.server.url)
    patch.setenv("MLFLOW_TRACKING_TOKEN", auth_stack.root_token)
    patch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    mlflow.set_tracking_uri(auth_stack.server.url)
    suffix = uuid.uuid4().hex[:8]
    name = f"churn-{suffix}"
    experiment = mlflow.set_experiment(f"registry-ui-{suffix}")
    features = pd.DataFrame({"age": [21.0, 35.0, 52.0, 64.0], "income": [1.0, 2.5, 3.0, 4.5]})
    train = mlflow.data.from_pandas(features, name="churn-train")
    for strength in (0.5, 2.0):
        with mlflow.start_run(run_name=f"C={strength}"):
            mlflow.log_params({"C": strength, "solver": "lbfgs"})
            mlflow.log_input(train, context="training")
            model = LogisticRegression(C=strength).fit(features, [0, 0, 1, 1])
            mlflow.log_metric("accuracy", 0.75 if strength < 1 else 1.0)
            mlflow.sklearn.log_model(
                model,
                name="model",
                registered_model_name=name,
                input_example=features.head(2),
                pip_requirements=[],
            )
    client = MlflowClient()
    client.transition_model_version_stage(name, "1", "Production")
    client.set_registered_model_alias(name, "champion", "1")
    client.update_registered_model(name, "Predicts churn. <script>window.pwned = 1</script>")
    for role, (_, _, group) in PEOPLE.items():
        if role != "ADMIN":
            grant(auth_stack, group, "experiment", experiment.experiment_id, "READ", "group")
            grant(auth_stack, group, "registered_model", name, role, "group")
    with auth_stack.api(auth_stack.root_token) as api:
        hook = api.post(
            f"{API}/webhooks",
            json={"name": f"ui-{suffix}", "url": receiver.url, "events": EVENTS, "secret": SECRET},
        )
        assert hook.status_code == 200, hook.text
    yield {"name": name, "experiment_id": experiment.experiment_id}
    patch.undo()
    mlflow.set_tracking_uri(previous)


def signed_in(browser: Browser, stack: AuthStack, role: str, target: str, **options) -> Page:
    login, password, _ = PEOPLE[role]
    page = browser.new_context(viewport={"width": 1280, "height": 900}, **options).new_page()
    page.goto(f"{stack.server.url}/{target}")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{stack.server.url}/{target}")
    return page


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def browser_post(page: Page, path: str, body: dict, *, csrf: bool) -> dict:
    """A request crafted in the signed-in page (its cookie), with or without the CSRF token."""
    return page.evaluate(
        """async ([path, body, csrf]) => {
            const me = await (await fetch('/me', {headers: {Accept: 'application/json'}})).json();
            const headers = {'Content-Type': 'application/json'};
            if (csrf) headers['X-CSRF-Token'] = me.csrf_token;
            const r = await fetch(path, {method: 'POST', headers, body: JSON.stringify(body)});
            return {status: r.status, body: await r.json()};
        }""",
        [path, body, csrf],
    )


def version_stages(stack: AuthStack, name: str) -> dict[str, str]:
    with stack.api(stack.root_token) as api:
        found = api.get(f"{API}/model-versions/search", params={"filter": f"name = '{name}'"})
    return {v["version"]: v["current_stage"] for v in found.json()["model_versions"]}


def independent_signature(delivery_id: str, timestamp: str, body: str) -> str:
    """MLflow's documented webhook signature, computed here, not with Grimoire's code."""
    mac = hmac.new(SECRET.encode(), f"{delivery_id}.{timestamp}.{body}".encode(), hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def test_my_role_answers_each_callers_role_and_refuses_the_unknown(
    auth_stack: AuthStack, registered: dict[str, str]
) -> None:
    name = registered["name"]
    for role, (login, password, _) in PEOPLE.items():
        with closing(sign_in(auth_stack.server.url, login, password)) as session:
            answer = session.get(
                "/api/2.0/grimoire/registered-models/my-role", params={"name": name}
            )
            assert answer.status_code == 200, answer.text
            assert answer.json() == {"name": name, "role": role}
    with closing(sign_in(auth_stack.server.url, "bob", "builder")) as session:
        missing = session.get(
            "/api/2.0/grimoire/registered-models/my-role", params={"name": "no-such-model"}
        )
        assert missing.status_code == 404
        assert missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
        unnamed = session.get("/api/2.0/grimoire/registered-models/my-role")
        assert unnamed.status_code == 400
        assert unnamed.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert (
        httpx.get(
            f"{auth_stack.server.url}/api/2.0/grimoire/registered-models/my-role",
            params={"name": name},
        ).status_code
        == 401
    )


def test_a_read_user_sees_the_pages_without_controls_and_a_crafted_transition_gets_403(
    browser: Browser, auth_stack: AuthStack, registered: dict[str, str]
) -> None:
    name = registered["name"]
    page = signed_in(browser, auth_stack, "READ", f"#/models?filter={name}")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name))
    expect(row).to_contain_text("Production: v1")
    expect(row).to_contain_text("None: v2")
    expect(row).to_contain_text("@champion: v1")
    expect(page.get_by_role("button", name="Create model")).to_have_count(0)

    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text("your role: READ")).to_be_visible()
    # The description's markdown is rendered safely: the script is text and did not run.
    expect(page.locator(".markdown")).to_contain_text("<script>window.pwned = 1</script>")
    assert page.evaluate("window.pwned") is None
    versions = page.get_by_role("table", name="Model versions")
    expect(versions.get_by_role("row")).to_have_count(3)
    expect(versions.locator("tr[data-version='2']")).to_contain_text("None")
    source_link = versions.locator("tr[data-version='1'] td").nth(6).get_by_role("link")
    expect(source_link).to_have_attribute(
        "href", re.compile(rf"^#/experiments/{registered['experiment_id']}/runs/[0-9a-f]{{32}}$")
    )
    for control in ("Edit description", "Add tag", "Set alias", "Delete model"):
        expect(page.get_by_role("button", name=control)).to_have_count(0)
    expect(page.get_by_role("button", name="Delete version 1")).to_have_count(0)

    page.get_by_role("link", name="Version 2", exact=True).click()
    expect(page.get_by_role("heading", name=f"{name} version 2")).to_be_visible()
    expect(page.get_by_role("link", name="C=2.0")).to_be_visible()
    expect(page.locator(".dataset summary")).to_contain_text("churn-train")
    expect(page.get_by_role("list", name="Flavors")).to_contain_text("sklearn")
    expect(page.get_by_role("table", name="Signature inputs")).to_contain_text("income")
    expect(page.get_by_label("Input example")).to_contain_text("35")
    expect(page.get_by_role("table", name="Model files")).to_contain_text("MLmodel")
    expect(page.get_by_text("your role", exact=False)).to_have_count(0)
    expect(page.get_by_role("form", name="Transition stage")).to_have_count(0)
    expect(page.get_by_label("Target stage")).to_have_count(0)

    crafted = browser_post(
        page,
        f"{API}/model-versions/transition-stage",
        {"name": name, "version": "2", "stage": "Production", "archive_existing_versions": True},
        csrf=True,
    )
    assert crafted["status"] == 403, crafted
    assert crafted["body"]["error_code"] == "PERMISSION_DENIED"
    assert version_stages(auth_stack, name) == {"1": "Production", "2": "None"}
    page.context.close()


def test_an_editor_transitions_and_edits_but_cannot_delete(
    browser: Browser, auth_stack: AuthStack, registered: dict[str, str]
) -> None:
    name = registered["name"]
    page = signed_in(browser, auth_stack, "EDIT", f"#/models/{name}")
    expect(page.get_by_text("your role: EDIT")).to_be_visible()
    page.get_by_role("button", name="Edit description").click()
    page.get_by_label("Description (markdown)").fill("Predicts **churn** monthly.")
    page.get_by_role("button", name="Save description").click()
    expect(page.locator(".markdown strong")).to_have_text("churn")
    page.get_by_label("Tag key").fill("team")
    page.get_by_label("Tag value").fill("retention")
    page.get_by_role("button", name="Add tag").click()
    expect(page.locator(".chip", has_text="team")).to_contain_text("retention")
    expect(page.get_by_role("button", name="Delete model")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete version 1")).to_have_count(0)
    with auth_stack.api(auth_stack.root_token) as api:
        model = api.get(f"{API}/registered-models/get", params={"name": name}).json()
    assert model["registered_model"]["description"] == "Predicts **churn** monthly."
    assert {"key": "team", "value": "retention"} in model["registered_model"]["tags"]
    # The server refuses what the page hides: a version delete from this session is 403.
    refused = page.evaluate(
        """async (name) => {
            const me = await (await fetch('/me', {headers: {Accept: 'application/json'}})).json();
            const r = await fetch('/api/2.0/mlflow/model-versions/delete', {method: 'DELETE',
                headers: {'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token},
                body: JSON.stringify({name, version: '1'})});
            return r.status;
        }""",
        name,
    )
    assert refused == 403
    page.context.close()


def test_a_manager_moves_champion_and_promotes_v2_with_archive_signed_and_audited(
    browser: Browser, auth_stack: AuthStack, registered: dict[str, str], receiver: Receiver
) -> None:
    name = registered["name"]
    already = len(receiver.received)
    page = signed_in(browser, auth_stack, "MANAGE", f"#/models/{name}/versions/2")
    expect(page.get_by_role("heading", name=f"{name} version 2")).to_be_visible()

    # The alias: its move is named before it happens.
    page.get_by_label("Alias", exact=True).fill("champion")
    page.get_by_role("button", name="Set alias").click()
    dialog = page.get_by_role("alertdialog", name="Set alias")
    expect(dialog).to_contain_text("Move alias champion from version 1 to version 2")
    dialog.get_by_role("button", name="Confirm alias").click()
    expect(page.locator(".header-row .chip", has_text="@champion")).to_be_visible()

    # The transition: the confirmation lists v2's move and v1's archiving.
    page.get_by_label("Target stage").select_option("Production")
    expect(page.get_by_label("Archive existing versions in this stage")).to_be_checked()
    page.get_by_role("button", name="Transition…").click()
    dialog = page.get_by_role("alertdialog", name="Transition version 2 to Production")
    expect(dialog.get_by_role("listitem")).to_have_text(
        ["Version 2: None → Production", "Version 1: Production → Archived"]
    )
    shoot(page, "ui-model-version")
    dialog.get_by_role("button", name="Move to Production").click()
    expect(page.get_by_label("Stage", exact=True)).to_have_text("Production")
    assert version_stages(auth_stack, name) == {"1": "Archived", "2": "Production"}

    # A write without the CSRF header from this very session is refused, and changes nothing.
    forged = browser_post(
        page,
        f"{API}/model-versions/transition-stage",
        {"name": name, "version": "1", "stage": "Staging", "archive_existing_versions": False},
        csrf=False,
    )
    assert forged["status"] == 403 and "CSRF" in forged["body"]["message"], forged
    assert version_stages(auth_stack, name)["1"] == "Archived"

    # The receiver got both deliveries, signed with the webhook's secret.
    deliveries = [
        r for r in receiver.wait_for(already + 2)[already:] if r.json["data"]["name"] == name
    ]
    aliases = [r.json["data"] for r in deliveries if r.json["entity"] == "model_version_alias"]
    assert {"name": name, "alias": "champion", "version": "2"} in aliases
    stages = [r.json["data"] for r in deliveries if r.json["entity"] == "model_version_stage"]
    assert any(s["version"] == "2" and s["to_stage"] == "Production" for s in stages), stages
    for delivery in deliveries:
        headers = {k.lower(): v for k, v in delivery.headers.items()}
        assert headers["x-mlflow-signature"] == independent_signature(
            headers["x-mlflow-delivery-id"], headers["x-mlflow-timestamp"], delivery.body
        )

    # Both changes are audited with the signed-in person as the actor.
    with auth_stack.api(auth_stack.root_token) as api:
        for action in ("stage.transition", "alias.set"):
            entries = api.get("/api/2.0/grimoire/audit", params={"action": action}).json()
            mine = [
                e
                for e in entries["entries"]
                if e["details"].get("name") == name and e["details"].get("version") == "2"
            ]
            assert [e["actor"] for e in mine] == ["carol@example.com"], (action, mine)
    page.context.close()


def test_a_manager_deletes_a_version_only_after_typing_its_name(
    browser: Browser, auth_stack: AuthStack, registered: dict[str, str]
) -> None:
    name = registered["name"]
    with auth_stack.api(auth_stack.root_token) as api:
        first = api.get(f"{API}/model-versions/get", params={"name": name, "version": "1"}).json()
        third = api.post(
            f"{API}/model-versions/create",
            json={"name": name, "source": first["model_version"]["source"]},
        )
        assert third.status_code == 200, third.text
    page = signed_in(browser, auth_stack, "MANAGE", f"#/models/{name}")
    page.get_by_role("button", name="Delete version 3").click()
    dialog = page.get_by_role("alertdialog", name="Delete version 3")
    confirm = dialog.get_by_role("button", name="Delete version")
    expect(confirm).to_be_disabled()
    dialog.get_by_label("Type to confirm").fill(f"{name}/2")
    expect(confirm).to_be_disabled()
    dialog.get_by_label("Type to confirm").fill(f"{name}/3")
    confirm.click()
    expect(page.get_by_role("table", name="Model versions").get_by_role("row")).to_have_count(3)
    assert set(version_stages(auth_stack, name)) == {"1", "2"}
    expect(page.get_by_role("button", name="Delete model")).to_be_visible()
    page.context.close()


def test_an_administrator_sees_every_page_and_compares_the_versions(
    browser: Browser, auth_stack: AuthStack, registered: dict[str, str]
) -> None:
    name = registered["name"]
    page = signed_in(browser, auth_stack, "ADMIN", f"#/models?filter={name}")
    expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_role("button", name="Create model")).to_be_visible()
    shoot(page, "ui-models")
    page.get_by_label("New model name").fill(f"{name}-next")
    page.get_by_role("button", name="Create model").click()
    expect(page.get_by_role("heading", name=f"{name}-next")).to_be_visible()
    expect(page.get_by_text("No versions yet.")).to_be_visible()
    page.goto(f"{auth_stack.server.url}/#/models?filter={name}")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_text("your role: ADMIN")).to_be_visible()
    expect(page.get_by_role("button", name="Delete model")).to_be_visible()
    page.get_by_label("Select version 1").check()
    page.get_by_label("Select version 2").check()
    shoot(page, "ui-model")
    page.get_by_role("link", name="Compare 2 selected").click()
    expect(page.get_by_role("heading", name=f"Comparing 2 versions of {name}")).to_be_visible()
    params = page.get_by_role("table", name="Parameters")
    expect(params.get_by_role("columnheader")).to_have_text(
        ["Parameters", "v1 (Archived)", "v2 (Production)"]
    )
    expect(params.locator("tr[data-key='C']")).to_have_class("differs")
    expect(params.locator("tr[data-key='solver']")).not_to_have_class("differs")
    expect(
        page.get_by_role("table", name="Metrics").locator("tr[data-key='accuracy']")
    ).to_contain_text("0.75")
    shoot(page, "ui-compare-versions")
    page.goto(f'{auth_stack.server.url}/#/compare-model-versions?name={name}&versions=["1"]')
    expect(page.get_by_role("alert")).to_contain_text("at least 2")
    page.context.close()


def test_the_models_list_at_phone_width_and_in_dark_mode(
    browser: Browser, auth_stack: AuthStack, registered: dict[str, str]
) -> None:
    name = registered["name"]
    page = signed_in(
        browser,
        auth_stack,
        "ADMIN",
        f"#/models/{name}",
        color_scheme="dark",
    )
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "ui-model-phone")
    page.get_by_role("link", name="Version 2", exact=True).click()
    expect(page.get_by_role("list", name="Flavors")).to_contain_text("sklearn")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()


def test_with_auth_off_every_control_shows_under_the_banner(
    browser: Browser, server: RunningServer
) -> None:
    name = f"open-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=server.url, timeout=30) as api:
        assert api.post(f"{API}/registered-models/create", json={"name": name}).status_code == 200
        version = api.post(
            f"{API}/model-versions/create", json={"name": name, "source": "s3://b/m"}
        )
        assert version.status_code == 200, version.text
    page = browser.new_page()
    page.goto(f"{server.url}/#/models/{name}")
    expect(page.get_by_role("status")).to_contain_text("Authentication is off")
    expect(page.get_by_text("your role: ADMIN")).to_be_visible()
    for control in ("Edit description", "Add tag", "Set alias", "Delete version 1", "Delete model"):
        expect(page.get_by_role("button", name=control)).to_be_visible()
    page.get_by_role("link", name="Version 1", exact=True).click()
    expect(page.get_by_label("Target stage")).to_be_visible()
    expect(page.get_by_text("outside the server's store")).to_be_visible()
    page.close()


def test_the_models_list_pages_forward_and_back_to_the_first_page(
    browser: Browser, server: RunningServer
) -> None:
    prefix = f"paged-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=server.url, timeout=30) as api:
        for index in range(51):  # the page holds 50
            body = {"name": f"{prefix}-{index:02d}"}
            created = api.post(f"{API}/registered-models/create", json=body)
            assert created.status_code == 200, created.text
    page = browser.new_page()
    page.goto(f"{server.url}/#/models?filter={prefix}")
    rows = page.locator("table[aria-label='Registered models'] tbody tr")
    pager = page.get_by_role("navigation", name="Pages")
    expect(rows).to_have_count(50)
    expect(pager.get_by_role("button", name="First page")).to_have_count(0)
    pager.get_by_role("button", name="Next page").click()
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]page="))
    expect(pager.get_by_role("button", name="Next page")).to_have_count(0)
    pager.get_by_role("button", name="First page").click()
    expect(rows).to_have_count(50)
    expect(page).not_to_have_url(re.compile(r"[?&]page="))
    # The filter survives the paging.
    expect(page.get_by_label("Search models")).to_have_value(prefix)
    page.close()
