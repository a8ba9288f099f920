"""The innermost step of a request: the endpoint the gate matched, called directly.

Almost every endpoint takes only the request and returns a response. For those, FastAPI's
own dispatch repeated work already done: a second scan of the routes the gate had matched,
then dependency solving, exit stacks and response handling around an endpoint with nothing
to inject (together about a fifth of a small request's server CPU, docs/benchmarks.md).
Such an endpoint is called here with the gate's match, and its errors get the same answer
the app's exception handlers give; every other endpoint (path parameters FastAPI converts
and validates) goes on through FastAPI unchanged.

Off while FastAPI's own telemetry is on, so every request keeps its route's span.
"""

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.core.gate import route_of

ErrorResponse = Callable[[Request, Exception], Awaitable[Response]]


def is_request_only(route: Any) -> bool:
    """An API route that FastAPI has nothing to do for: its endpoint a coroutine taking just
    the request, returning a response, with no dependencies, response model or body limit of
    the route's own (the gate bounds every body)."""
    if not isinstance(route, APIRoute) or route.dependencies or route.response_model:
        return False
    if getattr(route, "max_body_size", None) is not None:
        return False
    if not inspect.iscoroutinefunction(route.endpoint):
        return False
    signature = inspect.signature(route.endpoint)
    parameters = list(signature.parameters.values())
    answer = signature.return_annotation
    return (
        len(parameters) == 1
        and parameters[0].annotation is Request
        and inspect.isclass(answer)
        and issubclass(answer, Response)
    )


class DirectDispatch:
    def __init__(self, app: ASGIApp, *, error_response: ErrorResponse):
        self.app = app
        self.error_response = error_response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        matched = route_of(scope) if scope["type"] == "http" else None
        if matched is None or not matched.direct:
            await self.app(scope, receive, send)
            return
        # What the router would have put in the scope for the endpoint and the request log.
        scope["route"] = matched.route
        scope["endpoint"] = matched.endpoint
        scope["path_params"] = matched.path_params
        request = Request(scope, receive, send)
        try:
            response = await matched.endpoint(request)
        except Exception as error:  # the answer the app's exception handlers give
            response = await self.error_response(request, error)
        await response(scope, receive, send)
