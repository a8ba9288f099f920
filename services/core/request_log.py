"""One JSON line per request, and the request id that ties a client's report to it.

Each line carries the service, method, route template (never the raw path or query, which
can carry names and values), status, duration, request id and the authenticated user; never
a header, so never a token, cookie or secret. The request id is the caller's `X-Request-ID`
when it looks like an id (an ingress or a client set it), otherwise a new one; either way it
is returned in the response's `X-Request-ID`. Probes are not logged (a kubelet calls them
every few seconds) but get the header too.

Lines go to standard output, where a container's logs are collected, one write each; other
loggers keep their own handlers. A request line is written straight to the stream rather
than through `logging`: a record's making, caller lookup, filters and handler lock were a
tenth of a small request's server CPU (docs/benchmarks.md).
"""

import re
import secrets
import sys
import time
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from services.core.http import ResponseWatch
from services.core.observability import UNCOUNTED_PATHS, route_template

REQUEST_ID_HEADER = b"x-request-id"
# A caller's id is kept only if it is a plain token of this shape: anything else would put
# the caller's text into every log line and response header.
_ACCEPTED_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")

LOGGER_NAME = "grimoire.requests"


def write_request_line(fields: dict[str, Any]) -> None:
    """One request's line, in one write: time, level, logger and message as every JSON log
    line has them, then the request's fields."""
    entry: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "level": "info",
        "logger": LOGGER_NAME,
        "message": "request",
        **fields,
    }
    sys.stdout.write(orjson.dumps(entry, option=orjson.OPT_APPEND_NEWLINE).decode())
    sys.stdout.flush()


def request_id_of(scope: Scope) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER and _ACCEPTED_ID.fullmatch(value):
            return bytes(value)
    return secrets.token_hex(16).encode()


class RequestLog:
    def __init__(self, app: ASGIApp, *, service: str, enabled: bool):
        self.app = app
        self.service = service
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        started = time.perf_counter()
        watch = ResponseWatch(send, ((REQUEST_ID_HEADER, request_id),))
        try:
            await self.app(scope, receive, watch.send)
        finally:
            if self.enabled and scope["path"] not in UNCOUNTED_PATHS:
                fields = {
                    "service": self.service,
                    "method": scope["method"],
                    "route": route_template(scope),
                    "status": watch.status or 500,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                    "request_id": request_id.decode(),
                    "user": scope.get("state", {}).get("user"),
                }
                write_request_line(fields)
