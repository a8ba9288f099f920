"""Who may do what from the browser: a MANAGE holder grants READ to a group in the access
panel and a member of that group can then read; a non-administrator sees no administration
and the server refuses their session's crafted requests; a forged cross-site form post
carrying the session cookie (no CSRF header, a foreign Origin) is refused and changes nothing."""

import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.fixtures.auth_helpers import grant
from tests.fixtures.auth_stack import AuthStack
from tests.fixtures.web_session import signed_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDE = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}}


def new_experiment(stack: AuthStack) -> tuple[str, str]:
    name = f"access-ui-{uuid.uuid4().hex[:8]}"
    with stack.api(stack.root_token) as api:
        created = api.post("/api/2.0/mlflow/experiments/create", json={"name": name})
        assert created.status_code == 200, created.text
        experiment_id = created.json()["experiment_id"]
        run = api.post(
            "/api/2.0/mlflow/runs/create",
            json={"experiment_id": experiment_id, "run_name": "shared-run"},
        )
        assert run.status_code == 200, run.text
    return experiment_id, name


def test_a_manager_grants_read_to_a_group_and_its_member_can_then_read(
    browser, auth_stack: AuthStack
) -> None:
    experiment_id, name = new_experiment(auth_stack)
    grant(auth_stack, "bob@example.com", "experiment", experiment_id, "MANAGE")
    carol = auth_stack.provider.user_tokens("carol", "singer")["access_token"]  # group analysts
    with auth_stack.api(carol) as api:
        before = api.get("/api/2.0/mlflow/experiments/get", params={"experiment_id": experiment_id})
        assert before.status_code == 403, before.text

    with signed_in(browser, auth_stack, "bob", f"#/experiments/{experiment_id}", **WIDE) as page:
        page.get_by_text("Access", exact=True).click()
        panel = page.locator("details.access-panel")
        expect(panel.get_by_role("cell", name="user bob@example.com", exact=True)).to_be_visible()
        panel.get_by_label("Grant to a").select_option("group")
        panel.get_by_label("Group name").fill("analysts")
        panel.get_by_label("Role").select_option("READ")
        panel.get_by_role("button", name="Grant").click()
        row = panel.get_by_role("row").filter(has_text="analysts")
        expect(row).to_contain_text("READ")
        expect(row).to_contain_text("bob@example.com")  # granted by
        page.screenshot(path=str(SCREENSHOTS / "ui-admin-access-panel.png"), full_page=True)

    with auth_stack.api(carol) as api:
        after = api.get("/api/2.0/mlflow/experiments/get", params={"experiment_id": experiment_id})
        assert after.status_code == 200, after.text
    with signed_in(browser, auth_stack, "carol", f"#/experiments/{experiment_id}") as page:
        expect(page.get_by_role("heading", name=name)).to_be_visible()
        expect(page.get_by_role("link", name="shared-run")).to_be_visible()
        # A READ holder is shown no access panel (listing grants needs MANAGE).
        expect(page.locator("details.access-panel")).to_have_count(0)


def test_a_non_admin_sees_no_administration_and_its_apis_answer_403(
    browser, auth_stack: AuthStack
) -> None:
    with signed_in(browser, auth_stack, "bob", "#/me", **WIDE) as page:
        expect(page.get_by_role("heading", name="Signed in as bob@example.com")).to_be_visible()
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Tokens")).to_be_visible()
        for admin_link in ("Webhooks", "Service accounts", "Access", "Audit"):
            expect(nav.get_by_role("link", name=admin_link)).to_have_count(0)
        for path, heading in (
            ("admin/webhooks", "Webhooks"),
            ("admin/service-accounts", "Service accounts"),
            ("admin/access", "Access"),
            ("admin/audit", "Audit log"),
        ):
            page.goto(f"{auth_stack.server.url}/#/{path}")
            expect(page.get_by_role("heading", name=heading)).to_be_visible()
            expect(page.get_by_text("Only administrators can see this page.")).to_be_visible()
            expect(page.get_by_role("table")).to_have_count(0)
        # The session's own requests, CSRF header included, as a crafted script would send them.
        statuses = page.evaluate(
            """async () => {
                const asked = await fetch('/me', {headers: {Accept: 'application/json'}});
                const me = await asked.json();
                const send = (method, path, body) => fetch(path, {
                    method,
                    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token},
                    body: body && JSON.stringify(body),
                }).then(async (r) => [r.status, (await r.json()).error_code]);
                return {
                    webhooks: await send('GET', '/api/2.0/mlflow/webhooks'),
                    create_webhook: await send('POST', '/api/2.0/mlflow/webhooks', {
                        name: 'x', url: 'http://127.0.0.1:9/h',
                        events: [{entity: 'MODEL_VERSION', action: 'CREATED'}]}),
                    audit: await send('GET', '/api/2.0/grimoire/audit'),
                    service_accounts: await send('GET', '/api/2.0/grimoire/service-accounts'),
                    make_account: await send('POST', '/api/2.0/grimoire/service-accounts',
                        {name: 'sneaky', groups: ['grimoire-admins']}),
                    default_grants: await send('GET',
                        '/api/2.0/grimoire/permissions?resource_type=default&resource_id=*'),
                    grant_default: await send('POST', '/api/2.0/grimoire/permissions', {
                        principal_type: 'user', principal: 'bob@example.com',
                        resource_type: 'default', resource_id: '*', role: 'MANAGE'}),
                };
            }"""
        )
        assert statuses == {key: [403, "PERMISSION_DENIED"] for key in statuses}, statuses
    with auth_stack.api(auth_stack.root_token) as api:
        accounts = api.get("/api/2.0/grimoire/service-accounts").json()["service_accounts"]
        assert "sneaky" not in [a["name"] for a in accounts]


@pytest.fixture
def attacker() -> Iterator[tuple[str, dict]]:
    """Another origin (a different port: same site, so the browser sends the Lax session
    cookie) serving pages whose forms post to the server; `pages[path]` is the HTML."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()
    server.server_close()


def forged_form(action: str, fields: dict[str, str]) -> str:
    inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
    return (
        f'<!doctype html><form id="f" method="post" action="{action}">{inputs}</form>'
        "<script>document.getElementById('f').submit()</script>"
    )


def test_a_forged_cross_site_form_post_is_refused_and_changes_nothing(
    browser, auth_stack: AuthStack, attacker: tuple[str, dict]
) -> None:
    origin, pages = attacker
    victim = f"forged-{uuid.uuid4().hex[:8]}"
    pages["/create"] = forged_form(
        f"{auth_stack.server.url}/api/2.0/mlflow/experiments/create", {"name": victim}
    )
    pages["/logout"] = forged_form(f"{auth_stack.server.url}/auth/logout", {})
    with signed_in(browser, auth_stack, "ada", "#/me") as page:
        for path in ("/create", "/logout"):
            with page.expect_response(lambda r: r.request.method == "POST") as answered:
                page.goto(f"{origin}{path}")
            response = answered.value
            assert response.request.headers.get("origin") == origin
            assert "x-csrf-token" not in response.request.headers
            assert response.status == 403, (path, response.text())
            assert "CSRF" in response.json()["message"]
        # Still signed in (the forged sign-out did nothing) and nothing was created.
        page.goto(f"{auth_stack.server.url}/#/me")
        expect(page.get_by_role("heading", name="Signed in as ada@example.com")).to_be_visible()
        cookies = {c["name"]: c["value"] for c in page.context.cookies(auth_stack.server.url)}
    with auth_stack.api(auth_stack.root_token) as api:
        found = api.get(
            "/api/2.0/mlflow/experiments/get-by-name", params={"experiment_name": victim}
        )
        assert found.status_code == 404, found.text
    # The same post without a browser: the session cookie alone never writes.
    with httpx.Client(base_url=auth_stack.server.url, cookies=cookies) as forged:
        refused = forged.post(
            "/api/2.0/mlflow/experiments/create",
            json={"name": victim},
            headers={"Origin": "https://evil.example"},
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["error_code"] == "PERMISSION_DENIED"


def test_who_am_i_shows_groups_and_roles_and_signs_out(browser, auth_stack: AuthStack) -> None:
    experiment_id, name = new_experiment(auth_stack)
    grant(auth_stack, "ml-team", "experiment", experiment_id, "EDIT", principal_type="group")
    model = f"me-model-{uuid.uuid4().hex[:6]}"
    with auth_stack.api(auth_stack.root_token) as api:
        assert api.post("/api/2.0/mlflow/registered-models/create", json={"name": model}).is_success
    grant(auth_stack, "alice@example.com", "registered_model", model, "READ")
    with signed_in(browser, auth_stack, "alice", "#/me", **WIDE) as page:
        expect(page.get_by_role("heading", name="Signed in as alice@example.com")).to_be_visible()
        expect(page.locator(".facts")).to_contain_text("ml-team")
        role = (
            page.get_by_role("table", name="Your roles")
            .get_by_role("row")
            .filter(has_text=f"experiment {name}")
        )
        expect(role).to_contain_text("EDIT")
        expect(role).to_contain_text("through group ml-team")
        expect(role.get_by_role("link")).to_have_attribute("href", f"#/experiments/{experiment_id}")
        on_model = page.get_by_role("row").filter(has_text=f"model {model}")
        expect(on_model).to_contain_text("READ")
        expect(on_model).to_contain_text("granted to you")
        expect(on_model.get_by_role("link")).to_have_attribute("href", f"#/models/{model}")
        page.screenshot(path=str(SCREENSHOTS / "ui-admin-me.png"), full_page=True)
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Signed out of Grimoire")).to_be_visible()
        me = page.request.get(f"{auth_stack.server.url}/me", headers={"Accept": "application/json"})
        assert me.status == 401


def test_an_admin_edits_the_default_grants_on_a_phone(browser, auth_stack: AuthStack) -> None:
    group = f"phone-readers-{uuid.uuid4().hex[:6]}"
    with signed_in(browser, auth_stack, "ada", "#/admin/access", **PHONE) as page:
        page.on("dialog", lambda dialog: dialog.accept())
        expect(page.get_by_role("heading", name="Default grants")).to_be_visible()
        form = page.get_by_role("form", name="Grant access to everything")
        form.get_by_label("Group name").fill(group)
        form.get_by_role("button", name="Grant").click()
        row = page.get_by_role("row").filter(has_text=group)
        expect(row).to_contain_text("READ")
        assert page.evaluate("() => document.documentElement.scrollWidth - innerWidth") <= 0
        page.screenshot(path=str(SCREENSHOTS / "ui-admin-access-phone.png"), full_page=True)
        with auth_stack.api(auth_stack.root_token) as api:
            listed = api.get(
                "/api/2.0/grimoire/permissions",
                params={"resource_type": "default", "resource_id": "*"},
            ).json()["grants"]
            assert {"principal_type": "group", "principal": group, "role": "READ"}.items() <= {
                **next(g for g in listed if g["principal"] == group)
            }.items()
        page.get_by_role("button", name=f"Revoke READ from group {group}").click()
        expect(row).to_have_count(0)

        # Any registered model's grants, opened by its name: its creator manages it.
        model = f"panel-{uuid.uuid4().hex[:6]}"
        with auth_stack.api(auth_stack.root_token) as api:
            assert api.post(
                "/api/2.0/mlflow/registered-models/create", json={"name": model}
            ).is_success
        find = page.get_by_role("form", name="Find an object's grants")
        find.get_by_label("Object kind").select_option("registered_model")
        find.get_by_label("Experiment id or model name").fill(model)
        find.get_by_role("button", name="Show grants").click()
        holders = page.get_by_role("table", name=f"Who has access to model {model}")
        expect(holders.get_by_role("row").filter(has_text="service:root")).to_contain_text("MANAGE")
    with auth_stack.api(auth_stack.root_token) as api:
        listed = api.get(
            "/api/2.0/grimoire/permissions", params={"resource_type": "default", "resource_id": "*"}
        ).json()["grants"]
        assert group not in [g["principal"] for g in listed]


# The panels' colour against the page's, both from the theme's variables.
PANEL_LUMINANCE = """() => {
  const luminance = (element) => {
    const [r, g, b] = getComputedStyle(element).backgroundColor.match(/\\d+/g).map(Number);
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  };
  return [luminance(document.body), luminance(document.querySelector('.admin-form'))];
}"""


def test_the_admin_pages_follow_dark_mode(browser, auth_stack: AuthStack) -> None:
    dark = {**WIDE, "color_scheme": "dark"}
    with signed_in(browser, auth_stack, "ada", "#/admin/service-accounts", **dark) as page:
        expect(page.get_by_role("heading", name="Service accounts")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        body, form = page.evaluate(PANEL_LUMINANCE)
        assert body < 0.25 and form < 0.25, (body, form)
        page.screenshot(path=str(SCREENSHOTS / "ui-admin-service-accounts-dark.png"))
