"""The app factory every Grimoire service is built with, from its spec alone.

It installs MLflow's error contract, the probes (/health liveness, /ready database reachable
and schema at head), /metrics, the in-flight bound, request metrics and the request log (a
JSON line and an X-Request-ID per request), the spec's routes (and
their `/ajax-api/` twins, as MLflow serves every REST route under both), the 501 catalogue,
the guard with the spec's resolvers, and the spec's loops in the lifespan. The factory owns
everything cross-cutting so services stay about their domain.
"""

import services.core.httpx_without_cli  # noqa: F401, I001  (first: before anything loads httpx)
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from services.core.auth.decisions import SETTLED_TARGETS, Resolver
from services.core.auth.grant_target import CORE_RESOLVERS
from services.core.auth.guard import AuthGuard
from services.core.auth.policy import RULE_ATTRIBUTE
from services.core.config import auth_settings, server_settings
from services.core.db.schema_version import current_and_head
from services.core.dispatch import DirectDispatch, is_request_only
from services.core.errors import GrimoireError, TemporarilyUnavailable
from services.core.gate import RequestGate
from services.core.http import JSONResponse, ResponseWatch, send_error
from services.core.not_implemented import add_not_implemented_routes
from services.core.observability import MetricsMiddleware, metrics_endpoint
from services.core.openapi import request_openapi
from services.core.overload import InFlightLimit
from services.core.request_log import RequestLog
from services.core.resources import open_resources
from services.core.spec import ServiceSpec, ajax_twin
from services.core.storage.base import StoreUnavailable

log = logging.getLogger(__name__)

HTTP_STATUS_ERROR_CODES = {404: "ENDPOINT_NOT_FOUND", 405: "BAD_REQUEST", 400: "BAD_REQUEST"}


def _as_grimoire_error(request: Request, error: Exception) -> GrimoireError:
    if isinstance(error, GrimoireError):
        return error
    if isinstance(error, StoreUnavailable):
        log.warning("artifact store unavailable on %s: %s", request.url.path, error)
        return TemporarilyUnavailable("The artifact store is unreachable; retry shortly.")
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return GrimoireError("Internal server error.")


async def _error_response(request: Request, error: Exception) -> Response:
    """MLflow's body for every error a request can end in: ours, the store's, Starlette's
    routing errors (404, 405) and anything unexpected (500, logged)."""
    if isinstance(error, StarletteHTTPException):
        code = HTTP_STATUS_ERROR_CODES.get(error.status_code, "INTERNAL_ERROR")
        body = {"error_code": code, "message": str(error.detail)}
        return JSONResponse(body, status_code=error.status_code)
    found = _as_grimoire_error(request, error)
    return JSONResponse(found.body(), status_code=found.http_status, headers=found.headers)


async def health(_: Request) -> Response:
    return PlainTextResponse("OK")


async def ready(request: Request) -> Response:
    try:
        current, head = await request.app.state.db.transaction(current_and_head)
    except Exception as error:  # any failure means "not ready", with the reason
        return JSONResponse({"status": "unavailable", "reason": type(error).__name__}, 503)
    if current != head:
        return JSONResponse(
            {"status": "schema behind", "current": current, "head": head}, status_code=503
        )
    return JSONResponse({"status": "ready", "schema": current})


async def enter_loops(stack: AsyncExitStack, app: FastAPI) -> None:
    for loop in app.state.loops:
        await stack.enter_async_context(loop(app))


def mount(app: FastAPI, router: APIRouter) -> None:
    """Register a router's routes on the app itself, each also under its `/ajax-api/` twin.
    (FastAPI >= 0.16x keeps included routers as opaque entries that resolve lazily; flat
    routes let the auth guard and the route enumeration test see every path template
    through public API.)

    One route per method: OpenAPI describes a GET's message as query parameters and a
    POST's as a body, and a route has one `openapi_extra` (and one operation id)."""
    taken = {(m, r.path) for r in app.routes if isinstance(r, APIRoute) for m in r.methods or ()}
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"{route!r}: only API routes are mounted")
        for method in sorted(route.methods or ()):
            twin = ajax_twin(route.path)
            for path, documented in ((route.path, route.include_in_schema), (twin, False)):
                if path is None or (method, path) in taken:
                    continue
                taken.add((method, path))
                app.add_api_route(
                    path,
                    route.endpoint,
                    methods=[method],
                    name=route.name,
                    tags=route.tags,
                    include_in_schema=documented,
                    openapi_extra=request_openapi(route, method) if documented else None,
                )


def _resolvers(spec: ServiceSpec, app: FastAPI) -> Mapping[str, Resolver]:
    """The spec's resolvers and the kit's, checked against every rule the routes declare: an
    app whose rule names a target nobody resolves is not built (it would refuse that route)."""
    clash = CORE_RESOLVERS.keys() & spec.resolvers.keys()
    if clash:
        raise ValueError(f"{spec.name} redefines the kit's targets {sorted(clash)}")
    resolvers = {**CORE_RESOLVERS, **spec.resolvers}
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        rule = getattr(route.endpoint, RULE_ATTRIBUTE, None)
        if rule is not None and rule.target not in SETTLED_TARGETS | resolvers.keys():
            raise ValueError(f"{spec.name}: no resolver for target {rule.target!r} of {route.path}")
    return resolvers


class GrimoireApp(FastAPI):
    """The last word on every request: no exception ever reaches the ASGI server. Starlette
    renders an unexpected error (our handler gives MLflow's JSON body) and then re-raises it,
    which made uvicorn drop the keep-alive connection; it is logged once and stops here."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watch = ResponseWatch(send)
        try:
            await super().__call__(scope, receive, watch.send)
        except Exception:
            if scope["type"] != "http":
                raise
            if watch.status is None:
                log.exception("unhandled error on %s %s", scope["method"], scope["path"])
                await send_error(send, GrimoireError("Internal server error."))


def create_app(spec: ServiceSpec, *, own_lifespan: bool = True) -> FastAPI:
    """Build a service app. `own_lifespan=False` when `grimoire server` shares resources."""
    service = spec.name

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            resources = await stack.enter_async_context(open_resources(f"grimoire-{service}"))
            resources.attach(app)
            await enter_loops(stack, app)
            yield

    settings = server_settings()
    otel = settings.opentelemetry
    app = GrimoireApp(
        title=f"Grimoire {service}",
        lifespan=lifespan if own_lifespan else None,
        default_response_class=JSONResponse,
        docs_url=None,
        redoc_url=None,
        telemetry={"tracing": otel, "metrics": otel, "logs": otel},
    )
    app.state.loops = spec.loops
    for kind in (GrimoireError, StarletteHTTPException, StoreUnavailable, Exception):
        app.add_exception_handler(kind, _error_response)
    app.add_route("/health", health, methods=["GET"], include_in_schema=False)
    app.add_route("/ready", ready, methods=["GET"], include_in_schema=False)
    app.add_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    for router in spec.routers:
        mount(app, router)
    add_not_implemented_routes(app, spec.mlflow_endpoints)
    app.state.resolvers = _resolvers(spec, app)
    # FastAPI makes its telemetry's spans around its own dispatch: nothing goes around it then.
    callable_directly = None if otel else is_request_only
    if callable_directly is not None:
        app.add_middleware(DirectDispatch, error_response=_error_response)
    if auth_settings().enabled:
        # Innermost, so overload and metrics still see refused calls; checks every route.
        app.add_middleware(AuthGuard)
    app.add_middleware(
        RequestGate,
        max_message_bytes=settings.max_request_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        callable_directly=callable_directly,
    )
    app.add_middleware(
        InFlightLimit,
        limit=settings.max_in_flight,
        retry_after=settings.retry_after_seconds,
        service=service,
    )
    app.add_middleware(MetricsMiddleware, service=service)
    # Outside the kit's other middleware, so an overload 503 is logged and carries its id.
    app.add_middleware(RequestLog, service=service, enabled=settings.request_log)
    for middleware in reversed(spec.middleware):
        app.add_middleware(middleware)
    return app
