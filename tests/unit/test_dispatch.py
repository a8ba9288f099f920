"""Which endpoints are called straight from the gate's match, and which go through FastAPI."""

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request

from services.core import config
from services.core.app import create_app
from services.core.dispatch import DirectDispatch, is_request_only
from services.core.gate import match_route
from services.core.http import JSONResponse

router = APIRouter()


@router.post("/request-only")
async def request_only(request: Request) -> JSONResponse:
    return JSONResponse({})


@router.post("/converted/{name}")
async def converted(request: Request, name: str) -> JSONResponse:
    return JSONResponse({"name": name})


@router.post("/modelled")
async def modelled(request: Request) -> dict:
    return {}


@router.post("/own-limit", max_body_size=10)
async def own_limit(request: Request) -> JSONResponse:
    return JSONResponse({})


@router.post("/synchronous")
def synchronous(request: Request) -> JSONResponse:
    return JSONResponse({})


def _route(path: str) -> APIRoute:
    return next(r for r in router.routes if isinstance(r, APIRoute) and r.path == path)


def test_only_coroutines_of_the_request_alone_returning_a_response_qualify() -> None:
    assert is_request_only(_route("/request-only"))
    # FastAPI converts and validates `name`; it serializes a dict through a response model.
    assert not is_request_only(_route("/converted/{name}"))
    assert not is_request_only(_route("/modelled"))
    assert not is_request_only(_route("/synchronous"))  # FastAPI runs it in a thread
    assert not is_request_only(_route("/own-limit"))  # FastAPI enforces its limit


def _scope(method: str, path: str) -> dict:
    return {"type": "http", "method": method, "path": path, "root_path": ""}


def _app(monkeypatch: pytest.MonkeyPatch, telemetry: bool):  # type: ignore[no-untyped-def]
    from services.registry.spec import SPEC

    monkeypatch.setenv("GRIMOIRE_SERVER_OPENTELEMETRY", "true" if telemetry else "false")
    config.server_settings.cache_clear()
    try:
        return create_app(SPEC, own_lifespan=False)
    finally:
        config.server_settings.cache_clear()


def test_the_real_routes_are_matched_with_how_to_call_them(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app(monkeypatch, telemetry=False)
    search = _scope("GET", "/api/2.0/mlflow/registered-models/search")
    matched = match_route(app, search, is_request_only)
    assert matched.direct and matched.endpoint is not None
    assert not match_route(app, search).direct  # nobody asked how to call it
    webhook = _scope("GET", "/api/2.0/mlflow/webhooks/abc")
    matched = match_route(app, webhook, is_request_only)
    assert matched.template == "/api/2.0/mlflow/webhooks/{webhook_id}" and not matched.direct


def test_with_telemetry_on_every_request_goes_through_fastapi(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """FastAPI's spans are made around its own dispatch: nothing may go around it then."""

    def dispatches_directly(telemetry: bool) -> bool:
        app = _app(monkeypatch, telemetry)
        return any(m.cls is DirectDispatch for m in app.user_middleware)

    assert dispatches_directly(telemetry=False)
    assert not dispatches_directly(telemetry=True)
