"""Browser sign-in: authorization code with PKCE, a server-side session, logout, /me."""

import hmac
import html

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from services.core.auth import sessions, users
from services.core.auth.authenticate import SESSION_COOKIE
from services.core.auth.me import describe
from services.core.auth.policy import AUTHENTICATED, PUBLIC, requires
from services.core.auth.principal import caller_of, require_caller
from services.core.config import server_settings
from services.core.errors import PermissionDenied, Unauthenticated
from services.core.http import JSONResponse

router = APIRouter(tags=["auth"], include_in_schema=False)
MAX_NEXT_LENGTH = 2048


def _base_url(request: Request) -> str:
    return (server_settings().public_url or str(request.base_url)).rstrip("/")


def _safe_next(value: str | None) -> str:
    """Only local paths: never redirect a signed-in user to another site."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or len(value) > MAX_NEXT_LENGTH
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)
    ):
        return "/me"
    return value


def _callback_url(request: Request) -> str:
    return f"{_base_url(request)}/auth/callback"


@router.get("/auth/login")
@requires(PUBLIC)
async def login(request: Request) -> Response:
    state = request.app.state
    pending, browser_secret = sessions.new_login(_safe_next(request.query_params.get("next")))
    # The provider's address first: with the provider unreachable (503), nothing is stored.
    url = await state.oidc.authorization_url(
        _callback_url(request), pending["state"], pending["nonce"], pending["code_verifier"]
    )
    await state.db.transaction(sessions.begin_login, pending)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        sessions.login_cookie_name(pending["state"]),
        browser_secret,
        max_age=sessions.LOGIN_TTL_MS // 1000,
        httponly=True,
        secure=state.auth_settings.cookie_secure,
        samesite="lax",  # sent on the provider's top-level redirect back to the callback
        path="/auth/callback",
    )
    return response


@router.get("/auth/callback")
@requires(PUBLIC)
async def callback(request: Request) -> Response:
    """Nothing is stored unless the provider's answer is for a sign-in this very browser
    started; the sign-in is consumed only when it succeeds, so a callback that met a provider
    outage (503) can be retried."""
    state = request.app.state
    settings = state.auth_settings
    query = request.query_params
    if "error" in query:
        raise Unauthenticated(f"Sign-in failed at the identity provider: {query['error']}.")
    login_state = query.get("state", "")
    pending = await state.db.autocommit(sessions.pending_login, login_state)
    if pending is None:
        raise Unauthenticated("Unknown or expired sign-in; start again at /auth/login.")
    cookie_name = sessions.login_cookie_name(login_state)
    if not sessions.started_in_this_browser(pending, request.cookies.get(cookie_name)):
        raise Unauthenticated(
            "This sign-in was not started in this browser; start again at /auth/login."
        )
    code = query.get("code")
    if not code:
        raise Unauthenticated("The identity provider sent no authorization code.")
    tokens = await state.oidc.exchange(_callback_url(request), code, pending.code_verifier)
    claims = await state.oidc.validate_id_token(tokens, pending.nonce)
    claim = users.claimed(settings, claims)
    lifetime_ms = int(settings.session_hours * 3600 * 1000)
    opened = await state.db.transaction(
        sessions.complete_login, login_state, state.oidc.issuer, claim, lifetime_ms
    )
    if opened is None:
        raise Unauthenticated("This sign-in was already completed; start again at /auth/login.")
    response = RedirectResponse(pending.return_to, status_code=302)
    response.set_cookie(
        SESSION_COOKIE,
        opened[0],
        max_age=lifetime_ms // 1000,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )
    response.delete_cookie(cookie_name, path="/auth/callback")
    return response


@router.post("/auth/logout")
@requires(AUTHENTICATED)
async def logout(request: Request) -> Response:
    state = request.app.state
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        form = await request.form()
        sent = request.headers.get("x-csrf-token") or form.get("csrf_token")
        expected = await state.db.transaction(sessions.session_csrf, cookie)
        if not (
            isinstance(sent, str)
            and expected
            and hmac.compare_digest(sent.encode(), expected.encode())
        ):
            raise PermissionDenied("Missing or wrong CSRF token.")
        await state.db.transaction(sessions.end_session, cookie)
    # A page, not a redirect to /auth/login: the provider's own session would sign the
    # person straight back in.
    response = HTMLResponse(
        "<!doctype html><title>Signed out</title><h1 id='signed-out'>Signed out of Grimoire</h1>"
        "<p><a href='/auth/login'>Sign in again</a></p>"
    )
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me")
@requires(AUTHENTICATED)
async def me(request: Request) -> Response:
    principal = require_caller(caller_of(request))
    info = await request.app.state.db.transaction(describe, principal)
    if "text/html" not in request.headers.get("accept", ""):
        return JSONResponse(info)
    grants = "".join(
        f"<li>{html.escape(g['role'])} on {html.escape(g['resource_type'])} "
        f"{html.escape(g['resource_id'])} (via {html.escape(g['via'])})</li>"
        for g in info["grants"]
    )
    logout = (
        f'<form method="post" action="/auth/logout"><input type="hidden" name="csrf_token" '
        f'value="{html.escape(principal.csrf_token or "")}"><button>Sign out</button></form>'
    )
    return HTMLResponse(
        f"<!doctype html><title>Grimoire: {html.escape(info['name'])}</title>"
        f"<h1 id='who'>Signed in as {html.escape(info['name'])}</h1>"
        f"<p>Groups: <span id='groups'>{html.escape(', '.join(info['groups']) or 'none')}"
        "</span></p>"
        f"<p>Administrator: {'yes' if info['is_admin'] else 'no'}</p>"
        f"<h2>Roles</h2><ul id='grants'>{grants or '<li>none</li>'}</ul>{logout}"
    )
