"""Our httpx clients (webhook deliveries, the importer, the CLI) look up no module per request.

httpcore imports sniffio inside every request to learn which event loop it runs on; without
sniffio installed each of those imports fails, is not cached, and searches all of sys.path
again (a fifth of a client's CPU per request, docs/benchmarks.md). The dependency is
declared in pyproject.toml; this fails if it goes missing or another per-request import
appears.
"""

import asyncio
import sys
from importlib.machinery import ModuleSpec

import httpx

from tests.fixtures.receiver import Receiver


class _LookupRecorder:
    """A meta path finder that finds nothing and remembers what was asked for."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        self.names.append(name)
        return None


def test_requests_after_the_first_import_nothing() -> None:
    receiver = Receiver()  # a real loopback HTTP server, as webhook deliveries meet
    recorder = _LookupRecorder()

    async def exchange() -> None:
        async with httpx.AsyncClient(trust_env=False) as client:
            (await client.post(receiver.url, json={})).raise_for_status()  # may import lazily
            sys.meta_path.insert(0, recorder)
            try:
                for _ in range(3):
                    (await client.post(receiver.url, json={})).raise_for_status()
            finally:
                sys.meta_path.remove(recorder)

    try:
        asyncio.run(exchange())
    finally:
        receiver.close()
    assert len(receiver.received) == 4
    assert recorder.names == []
