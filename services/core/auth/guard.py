"""The guard: every request of every service passes here when authentication is on.

1. Match the route (as the router will) and take its rule from the policy table.
2. Authenticate (bearer/basic token, or session cookie) unless the route is public: 401.
3. Cookie-authenticated writes must echo the session's CSRF token (X-CSRF-Token header).
4. Find the target (from the query, the JSON body or the path) and check the caller's role
   there: 403. The JSON body is read once and replayed to the endpoint.
5. Run the endpoint with the principal in a context variable (searches filter by it).
6. On success, write the audit entry the rule asks for.
"""

import json
import logging
from typing import Any
from urllib.parse import parse_qs, urlencode

import orjson
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core.auth import audit
from services.core.auth.authenticate import SESSION_COOKIE, authenticate, without_database
from services.core.auth.policy import rule_for
from services.core.auth.principal import Principal, current_principal
from services.core.auth.targets import Decision, decide, decide_without_database
from services.core.errors import GrimoireError, PermissionDenied, Unauthenticated

log = logging.getLogger(__name__)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_INSPECTED_BODY = 16 * 1024 * 1024
CATALOGUE_ROUTE_PREFIX = "501 "


def _match(app: Any, scope: Scope) -> tuple[str | None, dict[str, Any], bool]:
    for route in app.router.routes:
        match, child = route.matches(scope)
        if match == Match.FULL:
            name = getattr(route, "name", "") or ""
            return route.path, child.get("path_params", {}), name.startswith(CATALOGUE_ROUTE_PREFIX)
    return None, {}, False


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


async def _send_error(send: Send, error: GrimoireError) -> None:
    body = json.dumps(error.body()).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if isinstance(error, Unauthenticated):
        headers.append((b"www-authenticate", b'Bearer realm="grimoire"'))
    await send({"type": "http.response.start", "status": error.http_status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class AuthGuard:
    def __init__(self, app: ASGIApp):
        self.app = app
        # (method, path) -> match, for routes without path parameters: a scan of every route
        # (two regex matches each) was a tenth of a small request's server time. Bounded by
        # the number of such routes; unmatched and parameterised paths are never stored.
        self._static_matches: dict[tuple[str, str], tuple[str | None, dict[str, Any], bool]] = {}

    def _route_of(self, app: Any, scope: Scope) -> tuple[str | None, dict[str, Any], bool]:
        key = (scope["method"], scope["path"])
        found = self._static_matches.get(key)
        if found is None:
            found = _match(app, scope)
            if found[0] is not None and not found[1]:
                self._static_matches[key] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fastapi_app = scope["app"]
        template, path_params, catalogue = self._route_of(fastapi_app, scope)
        rule = rule_for(scope["method"], template, catalogue)
        if rule is None:
            log.error("no authorization rule for %s %s: refused", scope["method"], template)
            await _send_error(send, PermissionDenied("This route has no authorization rule."))
            return
        if rule.target == "public":
            await self.app(scope, receive, send)
            return
        state = fastapi_app.state
        try:
            body, receive = await self._buffer(scope, receive, rule)
            params = self._params(scope, path_params, body)
            authorization = _header(scope, b"authorization")
            # Most calls (a cached token or a JWT; an administrator, a rule that needs no
            # grant, or a role and run already in the access cache) are decided without
            # touching the database.
            principal = await without_database(
                state.auth_settings, state.oidc, state.token_cache, authorization
            )
            decision = (
                decide_without_database(principal, rule, params, state.access_cache)
                if principal
                else None
            )
            if decision is None:
                principal, decision = await state.db.read(
                    self._check,
                    state,
                    rule,
                    params,
                    principal,
                    authorization,
                    _cookie(scope, SESSION_COOKIE),
                    scope["method"] in UNSAFE_METHODS and template != "/auth/logout",
                    _header(scope, b"x-csrf-token"),
                )
            elif not decision.allowed:
                raise self._denied(principal, rule, decision)
        except Unauthenticated as error:
            if self._is_browser_page(scope):
                await self._redirect_to_login(scope, send)
            else:
                await _send_error(send, error)
            return
        except GrimoireError as error:
            await _send_error(send, error)
            return

        status = 500

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        scope.setdefault("state", {})["user"] = principal.name
        token = current_principal.set(principal)
        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            current_principal.reset(token)
        if rule.audit and 200 <= status < 300:
            details = {k: v for k, v in params.items() if k not in ("secret", "token")}
            await state.db.run(
                audit.record,
                principal.name,
                rule.audit,
                decision.resource_type,
                decision.resource_id,
                details,
            )

    @staticmethod
    async def _check(
        conn: Any,
        state: Any,
        rule: Any,
        params: dict[str, Any],
        known: Principal | None,
        authorization: str | None,
        cookie: str | None,
        needs_csrf: bool,
        csrf_header: str | None,
    ) -> tuple[Principal, Decision]:
        """Authenticate (unless already known) and authorize on one read-only connection:
        a request costs the guard two or three indexed lookups and no transaction round
        trips."""
        principal = known or await authenticate(
            conn, state.auth_settings, state.oidc, state.token_cache, authorization, cookie
        )
        if principal.csrf_token and needs_csrf and csrf_header != principal.csrf_token:
            # A form post (sign-out) checks its own field; everything else sends the header.
            raise PermissionDenied("Missing or wrong X-CSRF-Token for a cookie session.")
        decision = await decide(conn, principal, rule, params, state.access_cache)
        if not decision.allowed:
            raise AuthGuard._denied(principal, rule, decision)
        return principal, decision

    @staticmethod
    def _denied(principal: Principal, rule: Any, decision: Decision) -> PermissionDenied:
        return PermissionDenied(
            f"{principal.name} lacks {rule.role} on this {decision.resource_type or 'resource'}."
        )

    @staticmethod
    def _is_browser_page(scope: Scope) -> bool:
        accept = _header(scope, b"accept") or ""
        return (
            scope["method"] == "GET"
            and "text/html" in accept
            and _header(scope, b"authorization") is None
        )

    @staticmethod
    async def _redirect_to_login(scope: Scope, send: Send) -> None:
        """A person opening a page gets the sign-in flow, then comes back to the page."""
        target = scope["path"]
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        location = "/auth/login?" + urlencode({"next": target})
        await send(
            {
                "type": "http.response.start",
                "status": 302,
                "headers": [(b"location", location.encode()), (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    async def _buffer(scope: Scope, receive: Receive, rule: Any) -> tuple[bytes, Receive]:
        """Read a JSON body the rule needs, then hand the endpoint a receive that replays it.
        Artifact uploads stream on untouched: their target is in the path."""
        content_type = _header(scope, b"content-type") or ""
        if (
            scope["method"] not in UNSAFE_METHODS
            or rule.target == "artifact"
            and scope["method"] == "PUT"
            or rule.field is None
            and rule.target != "grant_target"
            and not rule.audit
            or ("json" not in content_type and content_type != "")
        ):
            return b"", receive
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_INSPECTED_BODY:
                raise PermissionDenied("Request body too large to authorize.")
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return body, replay

    @staticmethod
    def _params(scope: Scope, path_params: dict[str, Any], body: bytes) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for key, values in parse_qs(scope.get("query_string", b"").decode()).items():
            params[key] = values if key == "run_ids" else values[0]
        if body:
            try:
                parsed = orjson.loads(body)
            except orjson.JSONDecodeError:
                parsed = None
            if isinstance(parsed, dict):
                params.update(parsed)
        params.update(path_params)
        return params
