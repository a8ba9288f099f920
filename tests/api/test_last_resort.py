"""No exception reaches the ASGI server: an endpoint that fails unexpectedly is answered 500
in MLflow's JSON shape and the same keep-alive connection serves the next request.

A service app built by the real factory, with one route that raises (a bug, as a client
would meet it), served by a real uvicorn on loopback and spoken to over one raw socket.
"""

import socket
import threading
import time
from collections.abc import Iterator

import orjson
import pytest
import uvicorn
from fastapi import APIRouter

from services.core import config
from services.core.app import create_app
from services.core.spec import ServiceSpec
from tests.fixtures.servers import free_port

router = APIRouter()


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("a bug")


@router.get("/fine")
async def fine() -> dict:
    return {"ok": True}


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
