"""Our httpx clients (webhook deliveries, the importer, the CLI) look up no module per request.

httpcore imports sniffio inside every request to learn which event loop it runs on; without
sniffio installed each of those imports fails, is not cached, and searches all of sys.path
again (a fifth of a client's CPU per request, docs/benchmarks.md). The dependency is
declared in pyproject.toml; this fails if it goes missing or another per-request import
appears.
"""

import asyncio
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.machinery import ModuleSpec

import httpx
import pytest


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


class _LookupRecorder:
    """A meta path finder that finds nothing and remembers what was asked for."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        self.names.append(name)
        return None


@pytest.fixture
def loopback_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_requests_after_the_first_import_nothing(loopback_url: str) -> None:
    recorder = _LookupRecorder()

    async def exchange() -> None:
        async with httpx.AsyncClient(base_url=loopback_url, trust_env=False) as client:
            (await client.get("/")).raise_for_status()  # first use may import lazily
            sys.meta_path.insert(0, recorder)
            try:
                for _ in range(3):
                    (await client.get("/")).raise_for_status()
            finally:
                sys.meta_path.remove(recorder)

    asyncio.run(exchange())
    assert recorder.names == []
