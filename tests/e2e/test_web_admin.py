"""The administration pages against a real `grimoire server` with the real OIDC provider:
a personal token made in the UI works with the mlflow client until it is revoked in the UI,
a webhook made in the UI gets a failed delivery replayed from its delivery log, and the audit
page lists a stage transition with the person who made it. Screenshots for docs/ui.md."""

import base64
import hashlib
import hmac
import uuid
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pytest
from mlflow.exceptions import MlflowException
from playwright.sync_api import Page, expect

from tests.fixtures.auth_helpers import grant
from tests.fixtures.auth_stack import AuthStack
from tests.fixtures.receiver import Receiver, Reply
from tests.fixtures.web_session import signed_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDE = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


def independent_signature(secret: str, delivery_id: str, timestamp: str, body: str) -> str:
    """MLflow's documented scheme, computed here without Grimoire's code."""
    mac = hmac.new(secret.encode(), f"{delivery_id}.{timestamp}.{body}".encode(), hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def new_experiment(stack: AuthStack) -> tuple[str, str]:
    name = f"admin-ui-{uuid.uuid4().hex[:8]}"
    with stack.api(stack.root_token) as api:
        created = api.post("/api/2.0/mlflow/experiments/create", json={"name": name})
        assert created.status_code == 200, created.text
        experiment_id = created.json()["experiment_id"]
        run = api.post("/api/2.0/mlflow/runs/create", json={"experiment_id": experiment_id})
        assert run.status_code == 200, run.text
    return experiment_id, name


def shot(page: Page, name: str) -> None:
    """A screenshot for docs/ui.md, secrets shown once painted over."""
    page.screenshot(
        path=str(SCREENSHOTS / name),
        full_page=True,
        mask=[page.locator("input.secret")],
        mask_color="#9aa4af",
    )


def accept_dialogs(page: Page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def test_a_token_made_in_the_ui_works_with_mlflow_until_it_is_revoked_in_the_ui(
    browser, auth_stack: AuthStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    experiment_id, name = new_experiment(auth_stack)
    grant(auth_stack, "alice@example.com", "experiment", experiment_id, "READ")
    token_name = f"laptop-{uuid.uuid4().hex[:6]}"
    with signed_in(browser, auth_stack, "alice", "#/settings/tokens", **WIDE) as page:
        accept_dialogs(page)
        expect(page.get_by_role("heading", name="Personal access tokens")).to_be_visible()
        page.get_by_label("Token name").fill(token_name)
        page.get_by_label("Expires in (days)").fill("7")
        page.get_by_role("button", name="Create token").click()
        secret = page.get_by_label("Your new token").input_value()
        assert secret
        row = page.get_by_role("table", name="Your tokens").get_by_role("row", name=token_name)
        expect(row).to_contain_text("active")
        shot(page, "ui-admin-tokens.png")

        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", secret)
        client = mlflow.MlflowClient(tracking_uri=auth_stack.server.url)
        assert client.get_experiment(experiment_id).name == name

        page.get_by_role("button", name="Done").click()
        expect(page.get_by_label("Your new token")).to_have_count(0)
        page.get_by_role("button", name=f"Revoke {token_name}").click()
        expect(row).to_contain_text("revoked")
        expect(page.get_by_role("button", name=f"Revoke {token_name}")).to_have_count(0)
    with pytest.raises(MlflowException) as refused:
        client.get_experiment(experiment_id)
    assert "401" in str(refused.value) or "UNAUTHENTICATED" in str(refused.value)


def test_a_failed_delivery_is_replayed_from_the_webhook_page_and_arrives(
    browser, auth_stack: AuthStack, receiver: Receiver
) -> None:
    hook_name = f"deploy-{uuid.uuid4().hex[:6]}"
    with signed_in(browser, auth_stack, "ada", "#/admin/webhooks", **WIDE) as page:
        accept_dialogs(page)
        page.get_by_role("button", name="New webhook").click()
        form = page.get_by_role("form", name="Create webhook")
        form.get_by_label("Webhook name").fill(hook_name)
        form.get_by_label("Receiver URL").fill(receiver.url)
        form.get_by_label("Registered model created").check()
        secret = form.get_by_label("Signing secret").input_value()
        assert len(secret) >= 32
        form.get_by_role("button", name="Create webhook").click()
        expect(page.get_by_label("The webhook's signing secret")).to_have_value(secret)
        expect(page.get_by_role("link", name=hook_name)).to_be_visible()

        page.get_by_role("button", name=f"Send test to {hook_name}").click()
        expect(page.get_by_text("Test event delivered: HTTP 200")).to_be_visible()
        [test_event] = receiver.wait_for(1)
        shot(page, "ui-admin-webhooks.png")

        # The first attempt meets a 500 (retried), the second a 400 (given up): failed.
        receiver.script = [Reply(500, body="deploy broke"), Reply(400, body="bad payload")]
        model = f"replayed-{uuid.uuid4().hex[:6]}"
        with auth_stack.api(auth_stack.root_token) as api:
            created = api.post("/api/2.0/mlflow/registered-models/create", json={"name": model})
            assert created.status_code == 200, created.text
        receiver.wait_for(3)

        page.get_by_role("link", name=hook_name).click()
        expect(page.get_by_role("heading", name=hook_name)).to_be_visible()
        failed = page.locator("tr", has=page.get_by_role("cell", name="failed", exact=True))
        for _ in range(50):
            if failed.count():
                break
            page.get_by_role("button", name="Refresh deliveries").click()
            page.wait_for_timeout(200)
        expect(failed).to_have_count(1)
        expect(failed).to_contain_text("Registered model created")
        expect(failed.locator("details.attempts summary")).to_have_text("2")  # attempts
        expect(failed).to_contain_text("bad payload")
        failed.locator("details.attempts summary").click()
        expect(failed.locator("details.attempts li")).to_have_count(2)
        expect(failed.locator("details.attempts li").nth(0)).to_contain_text("500")
        expect(failed.locator("details.attempts li").nth(0)).to_contain_text("deploy broke")
        shot(page, "ui-admin-webhook-deliveries.png")

        receiver.default = Reply(200)
        failed.get_by_role("button", name="Replay").click()
        replayed = receiver.wait_for(4)[3]
        assert replayed.json["data"]["name"] == model
        headers = replayed.headers
        assert headers["X-MLflow-Signature"] == independent_signature(
            secret, headers["X-MLflow-Delivery-Id"], headers["X-MLflow-Timestamp"], replayed.body
        )
        assert test_event.headers["X-MLflow-Delivery-Id"] != headers["X-MLflow-Delivery-Id"]
        succeeded = page.locator("tr", has=page.get_by_role("cell", name="succeeded", exact=True))
        model_row = succeeded.filter(has_text="Registered model created")
        for _ in range(50):
            if model_row.count():
                break
            page.get_by_role("button", name="Refresh deliveries").click()
            page.wait_for_timeout(200)
        expect(model_row).to_have_count(1)

        # Edit: another event, the secret kept; disable, then enable again.
        page.get_by_role("button", name=f"Edit {hook_name}").click()
        edit = page.get_by_role("form", name="Edit webhook")
        expect(edit.get_by_label("Registered model created")).to_be_checked()
        edit.get_by_label("Stage transitioned").check()
        edit.get_by_role("button", name="Save webhook").click()
        expect(page.locator(".facts")).to_contain_text("Stage transitioned")
        page.get_by_role("button", name=f"Disable {hook_name}").click()
        expect(page.locator(".facts")).to_contain_text("DISABLED")
        page.get_by_role("button", name=f"Enable {hook_name}").click()
        expect(page.locator(".facts")).to_contain_text("ACTIVE")
        page.get_by_role("button", name=f"Send test to {hook_name}").click()
        expect(page.get_by_text("Test event delivered: HTTP 200")).to_be_visible()
        tested = receiver.wait_for(5)[4]
        assert tested.headers["X-MLflow-Signature"] == independent_signature(
            secret,
            tested.headers["X-MLflow-Delivery-Id"],
            tested.headers["X-MLflow-Timestamp"],
            tested.body,
        )


def test_the_audit_page_lists_a_stage_transition_with_its_actor(
    browser, auth_stack: AuthStack
) -> None:
    model = f"audited-{uuid.uuid4().hex[:6]}"
    with auth_stack.api(auth_stack.root_token) as api:
        assert api.post("/api/2.0/mlflow/registered-models/create", json={"name": model}).is_success
        version = api.post(
            "/api/2.0/mlflow/model-versions/create",
            json={"name": model, "source": "s3://bucket/audited"},
        )
        assert version.status_code == 200, version.text
    grant(auth_stack, "alice@example.com", "registered_model", model, "EDIT")
    alice = auth_stack.provider.user_tokens("alice", "wonderland")["access_token"]
    with auth_stack.api(alice) as api:
        moved = api.post(
            "/api/2.0/mlflow/model-versions/transition-stage",
            json={"name": model, "version": "1", "stage": "Staging"},
        )
        assert moved.status_code == 200, moved.text

    with auth_stack.api(auth_stack.root_token) as api:
        too_late = api.get("/api/2.0/grimoire/audit", params={"since_ms": 10**20})
        assert too_late.status_code == 400, too_late.text
        assert too_late.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    with signed_in(browser, auth_stack, "ada", "#/admin/audit", **WIDE) as page:
        form = page.get_by_role("form", name="Filter the audit log")
        form.get_by_label("Actor").fill("alice@example.com")
        form.get_by_label("Action").fill("stage.transition")
        form.get_by_label("Object (id or name)").fill(model)
        form.get_by_role("button", name="Filter").click()
        assert "actor=alice%40example.com" in page.url
        rows = page.get_by_role("table", name="Audit entries").locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text("alice@example.com")
        expect(rows).to_contain_text("stage.transition")
        expect(rows).to_contain_text("stage=Staging")
        shot(page, "ui-admin-audit.png")

        # Someone else's actions are not what the filter asked for.
        form.get_by_label("Actor").fill("bob@example.com")
        form.get_by_role("button", name="Filter").click()
        expect(page.get_by_text("No entries match.")).to_be_visible()
        form.get_by_label("Actor").fill("alice@example.com")
        form.get_by_role("button", name="Filter").click()
        rows.get_by_role("link", name=f"{model} v1").click()
        page.wait_for_url(f"**/#/models/{model}/versions/1")


def test_an_admin_makes_a_service_account_and_its_token_in_the_ui(
    browser, auth_stack: AuthStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    experiment_id, name = new_experiment(auth_stack)
    account = f"ci-{uuid.uuid4().hex[:6]}"
    group = f"deployers-{uuid.uuid4().hex[:6]}"
    grant(auth_stack, group, "experiment", experiment_id, "READ", principal_type="group")
    with signed_in(browser, auth_stack, "ada", "#/admin/service-accounts", **WIDE) as page:
        form = page.get_by_role("form", name="Create service account")
        form.get_by_label("Account name").fill(account)
        form.get_by_label("Groups (comma-separated)").fill(f"{group}, other")
        form.get_by_role("button", name="Create service account").click()
        card = page.get_by_role("article", name=f"Service account {account}")
        expect(card).to_contain_text(f"Groups: {group}, other")
        card.get_by_label("Expires in (days, empty: never)").fill("30")
        card.get_by_role("button", name=f"New token for {account}").click()
        secret = page.get_by_label("The new service account token").input_value()
        tokens = card.get_by_role("table", name=f"Tokens of {account}")
        expect(tokens).to_contain_text("active")
        expect(tokens.locator("tbody tr")).not_to_contain_text("never")
        shot(page, "ui-admin-service-accounts.png")

        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", secret)
        client = mlflow.MlflowClient(tracking_uri=auth_stack.server.url)
        assert client.get_experiment(experiment_id).name == name

        # Deleting asks for the account's name typed out; a wrong name changes nothing.
        page.once("dialog", lambda dialog: dialog.accept("not-it"))
        card.get_by_role("button", name=f"Delete {account}").click()
        expect(card).to_be_visible()
        assert client.get_experiment(experiment_id).name == name
        page.once("dialog", lambda dialog: dialog.accept(account))
        card.get_by_role("button", name=f"Delete {account}").click()
        expect(card).to_have_count(0)
    with pytest.raises(MlflowException):
        client.get_experiment(experiment_id)
