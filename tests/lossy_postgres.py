"""A TCP proxy in front of PostgreSQL that loses the answer to one COMMIT, on purpose.

Armed with a marker (bytes a request is sure to send, such as a unique name), the proxy
passes on the COMMIT of the first transaction that sent the marker, waits until PostgreSQL
has answered it (so the transaction did commit), then closes the connection without passing
the answer on. The server under test sees its connection drop with COMMIT sent: a network
failure at the worst moment, when the outcome is unknown to it.

It reads PostgreSQL's frontend protocol only as far as needed: the untyped startup
messages (SSLRequest, StartupMessage, CancelRequest), then typed messages (one type byte, a
length). asyncpg sends COMMIT as a simple query ('Q'); statements' values travel in Bind.
"""

import asyncio
import struct
import threading
from contextlib import suppress

from sqlalchemy.engine import make_url

from tests.servers import free_port

_NEGOTIATIONS = {80877103, 80877104}  # SSLRequest, GSSENCRequest: answered with one byte
_COMMIT_DONE = b"C\x00\x00\x00\x0bCOMMIT\x00"  # CommandComplete "COMMIT"


class LossyPostgres:
    def __init__(self, database_url: str):
        url = make_url(database_url)
        self.upstream = (url.host or "127.0.0.1", url.port or 5432)
        self.port = free_port()
        self.url = url.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)
        self.marker: bytes | None = None
        self.dropped = 0  # COMMITs whose answer was lost
        self._loop = asyncio.new_event_loop()
        started = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(started,), daemon=True)
        self._thread.start()
        started.wait(10)

    def arm(self, marker: str) -> None:
        """Lose the answer to the COMMIT of the next transaction that sends `marker`."""
        self.marker = marker.encode()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", self.port)
        )
        started.set()
        self._loop.run_forever()
        server.close()

    async def _connection(self, client_r, client_w) -> None:
        server_r, server_w = await asyncio.open_connection(*self.upstream)
        losing = asyncio.Event()  # the COMMIT to lose has been sent on
        tasks = [
            asyncio.create_task(self._from_client(client_r, server_w, losing)),
            asyncio.create_task(self._from_server(server_r, client_w, losing)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        for writer in (client_w, server_w):
            writer.close()
            with suppress(Exception):
                await writer.wait_closed()

    async def _from_client(self, reader, writer, losing: asyncio.Event) -> None:
        with suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:  # startup: untyped messages until the StartupMessage
                length = struct.unpack("!I", await reader.readexactly(4))[0]
                body = await reader.readexactly(length - 4)
                writer.write(struct.pack("!I", length) + body)
                await writer.drain()
                if struct.unpack("!I", body[:4])[0] not in _NEGOTIATIONS:
                    break
            sent_marker = False
            while True:
                kind = await reader.readexactly(1)
                length = struct.unpack("!I", await reader.readexactly(4))[0]
                body = await reader.readexactly(length - 4)
                if self.marker and self.marker in body:
                    sent_marker = True
                ends_transaction = kind == b"Q" and body[:8].upper().startswith(
                    (b"COMMIT", b"ROLLBACK")
                )
                if ends_transaction and sent_marker and body[:6].upper() == b"COMMIT":
                    self.marker = None
                    losing.set()
                if ends_transaction:
                    sent_marker = False
                writer.write(kind + struct.pack("!I", length) + body)
                await writer.drain()

    async def _from_server(self, reader, writer, losing: asyncio.Event) -> None:
        answer = b""
        with suppress(ConnectionError):
            while chunk := await reader.read(65536):
                if losing.is_set():
                    answer += chunk
                    if _COMMIT_DONE in answer:  # committed; the answer never arrives
                        self.dropped += 1
                        return
                    continue
                writer.write(chunk)
                await writer.drain()
