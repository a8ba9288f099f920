"""The guard: every request of every service passes here when authentication is on.

1. Take the route the gate matched and its rule from the policy table; no rule: refused.
2. Parse the request ONCE into the message the route declares (`http.accepts`), exactly as
   the endpoint would; the endpoint later receives this very object. A request that cannot
   be parsed is refused (415, 413 or 400) and a rule's target is read only from it, so the
   check and the execution cannot disagree about what the request says.
3. Authenticate (bearer/basic token, or session cookie) unless the route is public: 401
   (before any parse error, so anonymous callers learn nothing about a route's message).
4. Cookie-authenticated writes must echo the session's CSRF token (X-CSRF-Token header).
5. Check the caller's role on the target and on every other object the message writes into:
   403; a target that does not exist: 404, never passed on to the endpoint.
6. Run the endpoint with the principal in the request's scope (`principal.caller_of` reads
   it; routers pass it to what filters by it); the audit entry the rule asks for rides in the
   endpoint's own transaction.
"""

import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode

from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core.auth import audit
from services.core.auth.authenticate import SESSION_COOKIE, authenticate, without_database
from services.core.auth.decisions import (
    Decision,
    Resolvers,
    Subject,
    decide,
    decide_without_database,
)
from services.core.auth.policy import Rule, rule_for
from services.core.auth.principal import PRINCIPAL_STATE, Principal
from services.core.db.engine import transaction_rider
from services.core.errors import GrimoireError, PermissionDenied, Unauthenticated
from services.core.gate import route_of
from services.core.http import MESSAGE_STATE, declared_message, parse_message, send_error
from services.core.observability import AUTH_FAILURES

log = logging.getLogger(__name__)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return str(v)
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body (the gate bounds its size), and a receive that replays it."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
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


def _subject(
    rule: Rule, resolvers: Resolvers, path_params: dict[str, Any], message: BaseModel | None
) -> Subject:
    """What the rule names, from the path or the parsed message: nowhere else."""
    value: Any = None
    if rule.field is not None:
        if rule.field in path_params:
            value = path_params[rule.field]
        elif message is not None and rule.field in type(message).model_fields:
            value = getattr(message, rule.field)
        else:
            # A rule naming a field its route never parses: refuse rather than guess.
            log.error("rule field %r is not in the route's path or message", rule.field)
            raise PermissionDenied("This route's authorization is misconfigured.")
    resolver = resolvers.get(rule.target)
    return Subject(value) if resolver is None else resolver.subject(value, message)


class AuthGuard:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = route_of(scope)
        rule = rule_for(scope["method"], route.template, route.endpoint, route.catalogue)
        if rule is None:
            log.error("no authorization rule for %s %s: refused", scope["method"], route.template)
            await self._refuse(send, PermissionDenied("This route has no authorization rule."))
            return
        if rule.target == "public":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        try:
            message, subject, parse_error, receive = await self._parse(scope, receive, rule)
            authorization = _header(scope, b"authorization")
            # Most calls (a cached token or a JWT; an administrator, a rule that needs no
            # grant, or a role and run already in the access cache) are decided without
            # touching the database.
            principal = await without_database(
                state.auth_settings, state.oidc, state.token_cache, authorization
            )
            decision = None
            if principal is not None:
                if parse_error is not None:
                    raise parse_error
                decision = decide_without_database(
                    principal, rule, subject, state.resolvers, state.access_cache
                )
            if principal is None or decision is None:  # (no principal: no decision yet)
                principal, decision = await state.db.autocommit(
                    self._check,
                    state,
                    rule,
                    subject,
                    parse_error,
                    principal,
                    authorization,
                    _cookie(scope, SESSION_COOKIE),
                    scope["method"] in UNSAFE_METHODS and route.template != "/auth/logout",
                    _header(scope, b"x-csrf-token"),
                )
            elif not decision.allowed:
                raise self._denied(principal, rule, decision)
        except Unauthenticated as error:
            AUTH_FAILURES.labels(error.error_code).inc()
            if self._is_browser_page(scope):
                await self._redirect_to_login(scope, send)
            else:
                await send_error(send, error)
            return
        except GrimoireError as error:
            await self._refuse(send, error)
            return

        scope_state = scope.setdefault("state", {})
        scope_state["user"] = principal.name
        if message is not None:
            scope_state[MESSAGE_STATE] = message
        scope_state[PRINCIPAL_STATE] = principal
        entry = (
            audit.Entry(
                principal.name,
                rule.audit,
                decision.resource_type,
                decision.resource_id,
                audit.details_of(message, route.path_params),
            )
            if rule.audit
            else None
        )
        rider_token = transaction_rider.set(entry)
        try:
            await self.app(scope, receive, send)
        finally:
            transaction_rider.reset(rider_token)

    @staticmethod
    async def _parse(
        scope: Scope, receive: Receive, rule: Rule
    ) -> tuple[BaseModel | None, Subject, GrimoireError | None, Receive]:
        """The route's message and the rule's subject, or the error that refuses them (raised
        once the caller is known to be authenticated)."""
        route = route_of(scope)
        model = declared_message(route.endpoint)
        try:
            message = None
            if model is not None:
                body = b""
                if scope["method"] != "GET":
                    body, receive = await _read_body(receive)
                query = parse_qsl(
                    scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
                )
                message = parse_message(
                    model, scope["method"], query, body, _header(scope, b"content-type")
                )
            resolvers = scope["app"].state.resolvers
            subject = _subject(rule, resolvers, route.path_params, message)
            return message, subject, None, receive
        except GrimoireError as error:
            return None, Subject(), error, receive

    @staticmethod
    async def _check(
        conn: Any,
        state: Any,
        rule: Rule,
        subject: Subject,
        parse_error: GrimoireError | None,
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
        if parse_error is not None:
            raise parse_error
        decision = await decide(conn, principal, rule, subject, state.resolvers, state.access_cache)
        if not decision.allowed:
            raise AuthGuard._denied(principal, rule, decision)
        return principal, decision

    @staticmethod
    async def _refuse(send: Send, error: GrimoireError) -> None:
        AUTH_FAILURES.labels(error.error_code).inc()
        await send_error(send, error)

    @staticmethod
    def _denied(principal: Principal, rule: Rule, decision: Decision) -> PermissionDenied:
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
