"""The first thing every request meets inside a service: which route it is, and how much
body it may send.

The route is matched once here (as the router will match it) and kept in the scope, so the
guard reads the same route's rule and declared message. Bodies are bounded on every route:
a Content-Length past the limit is refused before anything is read, and a body that grows
past it while streaming stops with 413 at the limit, whoever is reading it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core.errors import InvalidParameterValue, PayloadTooLarge
from services.core.http import send_error

ROUTE_STATE = "grimoire.route"
CATALOGUE_ROUTE_PREFIX = "501 "
STREAMS_BODY = "grimoire_streams_body"


@dataclass(frozen=True)
class RouteMatch:
    template: str | None
    path_params: dict[str, Any]
    endpoint: Any
    catalogue: bool  # one of MLflow's endpoints we answer 501
    route: Any = None
    direct: bool = False  # the endpoint may be called without FastAPI (dispatch.py)


UNMATCHED = RouteMatch(None, {}, None, False)


def streams_body(endpoint: Any) -> Any:
    """Mark an endpoint whose body is a file streamed to the store (artifact uploads): it
    gets the upload limit instead of the message limit."""
    setattr(endpoint, STREAMS_BODY, True)
    return endpoint


def match_route(
    app: Any, scope: Scope, callable_directly: Callable[[Any], bool] | None = None
) -> RouteMatch:
    """The route the router will choose, and (with `callable_directly`, which says of a route
    whether its endpoint may be called without the router) how it may be called."""
    for route in app.router.routes:
        match, child = route.matches(scope)
        if match == Match.FULL:
            name = getattr(route, "name", "") or ""
            return RouteMatch(
                route.path,
                child.get("path_params", {}),
                getattr(route, "endpoint", None),
                name.startswith(CATALOGUE_ROUTE_PREFIX),
                route,
                callable_directly is not None and callable_directly(route),
            )
    return UNMATCHED


def route_of(scope: Scope) -> RouteMatch:
    route: RouteMatch = scope.get(ROUTE_STATE, UNMATCHED)
    return route


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                raise InvalidParameterValue("Malformed Content-Length header.") from None
    return None


class RequestGate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_message_bytes: int,
        max_upload_bytes: int,
        callable_directly: Callable[[Any], bool] | None = None,
    ):
        self.app = app
        self.max_message_bytes = max_message_bytes
        self.max_upload_bytes = max_upload_bytes
        self.callable_directly = callable_directly
        # (method, path) -> match, for routes without path parameters: a scan of every route
        # (two regex matches each) was a tenth of a small request's server time. Bounded by
        # the number of such routes; unmatched and parameterised paths are never stored.
        self._static: dict[tuple[str, str], RouteMatch] = {}

    def _match(self, scope: Scope) -> RouteMatch:
        key = (scope["method"], scope["path"])
        found = self._static.get(key)
        if found is None:
            found = match_route(scope["app"], scope, self.callable_directly)
            if found.template is not None and not found.path_params:
                self._static[key] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self._match(scope)
        scope[ROUTE_STATE] = route
        limit = (
            self.max_upload_bytes
            if getattr(route.endpoint, STREAMS_BODY, False)
            else self.max_message_bytes
        )
        try:
            declared = _content_length(scope)
        except InvalidParameterValue as error:
            await send_error(send, error)
            return
        if declared is not None and declared > limit:
            await send_error(send, _too_large(limit))
            return
        await self.app(scope, _bounded(receive, limit), send)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The request body exceeds this route's limit of {limit} bytes.")


def _bounded(receive: Receive, limit: int) -> Receive:
    received = 0

    async def bounded_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _too_large(limit)
        return message

    return bounded_receive
