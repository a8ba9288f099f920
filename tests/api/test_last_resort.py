"""No exception reaches the ASGI server: an endpoint that fails unexpectedly is answered 500
in MLflow's JSON shape and the same keep-alive connection serves the next request.

A service app built by the real factory, with routes that raise (a bug, as a client would
meet it, and one of our own errors), served by a real uvicorn on loopback and spoken to over
one raw socket. Both ways an endpoint is called are covered: through FastAPI (an endpoint
with parameters of its own) and directly from the gate's match (one that takes only the
request, services/core/dispatch.py).
"""

import socket
import threading
import time
from collections.abc import Iterator

import orjson
import pytest
import uvicorn
from fastapi import APIRouter
from starlette.requests import Request

from services.core import config
from services.core.app import create_app
from services.core.errors import ResourceDoesNotExist
from services.core.http import JSONResponse
from services.core.observability import REQUESTS
from services.core.spec import ServiceSpec
from tests.fixtures.servers import free_port

router = APIRouter()


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("a bug")


@router.get("/fine")
async def fine() -> dict:
    return {"ok": True}


@router.get("/direct/boom")
async def direct_boom(request: Request) -> JSONResponse:
    raise RuntimeError("a bug")


@router.get("/direct/missing")
async def direct_missing(request: Request) -> JSONResponse:
    raise ResourceDoesNotExist("No such thing.")


@router.get("/direct/fine/{name}")
async def direct_fine(request: Request) -> JSONResponse:
    return JSONResponse({"name": request.path_params["name"], "query": request.url.query})


# FastAPI's own request handler leaves its exit stack in the scope: whether an endpoint was
# called through FastAPI or straight from the gate's match, as the endpoint sees it.
FASTAPI_HANDLED = "fastapi_inner_astack"


@router.get("/direct/how")
async def direct_how(request: Request) -> JSONResponse:
    return JSONResponse({"through_fastapi": FASTAPI_HANDLED in request.scope})


@router.get("/routed/how/{name}")
async def routed_how(request: Request, name: str) -> JSONResponse:
    return JSONResponse({"through_fastapi": FASTAPI_HANDLED in request.scope})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GRIMOIRE_AUTH_DISABLED", "true")
        config.auth_settings.cache_clear()
        try:
            spec = ServiceSpec("test", ("/",), routers=(router,))
            app = create_app(spec, own_lifespan=False)
        finally:
            config.auth_settings.cache_clear()
    chosen = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=chosen, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield chosen
    server.should_exit = True
    thread.join(10)


def _exchange(sock: socket.socket, path: str) -> tuple[int, dict]:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return int(head.split(b" ")[1]), orjson.loads(body)


def test_an_unexpected_error_is_mlflow_json_and_the_connection_lives(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        assert _exchange(sock, "/boom") == (
            500,
            {"error_code": "INTERNAL_ERROR", "message": "Internal server error."},
        )
        assert _exchange(sock, "/fine") == (200, {"ok": True})
        assert _exchange(sock, "/boom")[0] == 500
        assert _exchange(sock, "/fine")[0] == 200


def test_directly_called_endpoints_answer_as_routed_ones(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        assert _exchange(sock, "/direct/boom") == (
            500,
            {"error_code": "INTERNAL_ERROR", "message": "Internal server error."},
        )
        assert _exchange(sock, "/direct/missing") == (
            404,
            {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "No such thing."},
        )
        # The path parameters and the query reach the endpoint.
        assert _exchange(sock, "/direct/fine/abc?x=1") == (200, {"name": "abc", "query": "x=1"})


def test_directly_called_endpoints_are_counted_by_route_template(port: int) -> None:
    def served(status: str) -> float:
        return REQUESTS.labels("test", "GET", "/direct/fine/{name}", status)._value.get()

    before = served("200")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for name in ("a", "b", "c"):
            assert _exchange(sock, f"/direct/fine/{name}")[0] == 200
    assert served("200") == before + 3


def test_request_only_endpoints_are_called_without_fastapi_and_the_rest_through_it(
    port: int,
) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        assert _exchange(sock, "/direct/how") == (200, {"through_fastapi": False})
        assert _exchange(sock, "/routed/how/x") == (200, {"through_fastapi": True})
