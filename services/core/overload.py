"""Bound the work in flight per process.

Past `max_in_flight` concurrent requests a process answers 503 TEMPORARILY_UNAVAILABLE with
Retry-After at once, instead of queueing without bound until clients time out. The mlflow
client retries 503 with backoff, so every request still completes. Probes are never refused.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

from services.core.errors import TemporarilyUnavailable
from services.core.http import send_error
from services.core.observability import IN_FLIGHT, OVERLOAD_REJECTIONS, UNCOUNTED_PATHS


class InFlightLimit:
    def __init__(self, app: ASGIApp, *, limit: int, retry_after: int, service: str):
        self.app = app
        self.limit = limit
        self.retry_after = retry_after
        self.in_flight = 0
        self.rejected = OVERLOAD_REJECTIONS.labels(service)
        self.in_flight_gauge = IN_FLIGHT.labels(service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNCOUNTED_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            self.rejected.inc()
            await send_error(
                send,
                TemporarilyUnavailable(
                    "The server is at capacity; retry shortly.", retry_after=self.retry_after
                ),
            )
            return
        self.in_flight += 1
        self.in_flight_gauge.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            self.in_flight_gauge.dec()
