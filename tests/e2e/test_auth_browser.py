"""A person signs in through the identity provider's real form in a real browser."""

from pathlib import Path

from tests.fixtures.auth_stack import AuthStack


def test_sign_in_with_wrong_then_right_password_lands_on_me(
    browser, auth_stack: AuthStack, tmp_path: Path
) -> None:
    page = browser.new_page()
    page.goto(f"{auth_stack.server.url}/me")  # no session: sent to the provider's form
    assert page.url.startswith(auth_stack.provider.url)
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator("#error").inner_text() == "Invalid username or password"

    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", "wonderland")
    page.click("button[type=submit]")
    page.wait_for_url(f"{auth_stack.server.url}/me")
    assert page.locator("#who").inner_text() == "Signed in as alice@example.com"
    assert page.locator("#groups").inner_text() == "ml-team"
    page.screenshot(path=str(tmp_path / "me-after-sign-in.png"))  # looked at; kept in docs/

    cookie = next(c for c in page.context.cookies() if c["name"] == "grimoire_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"

    page.click("text=Sign out")
    assert page.locator("#signed-out").inner_text() == "Signed out of Grimoire"
    assert all(c["name"] != "grimoire_session" for c in page.context.cookies())
    page.close()
