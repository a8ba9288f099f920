"""Prometheus metrics of the kit: requests and latency by route template, requests in
flight, the database pool (limits, checked out, waiting, wait and hold time), authentication
failures by reason, and background loops (passes, failures, pass duration by loop name).
Services export their own (ingest counters, artifact bytes, the webhook outbox) from their
packages and list them in their spec.

Labels use the route template (`/api/2.0/mlflow-artifacts/artifacts/{path:path}`), never the
raw path, so cardinality stays bounded. Health and metrics endpoints are not counted.

With several worker processes, `PROMETHEUS_MULTIPROC_DIR` is set by `grimoire server` (or the
pod spec): every process writes its values to files there and /metrics sums them, so a
scrape that lands on any worker sees the whole pod. Gauges say how their processes combine
(`livesum`: the pod's total over live workers).

The hot path pays dictionary lookups, not `labels()` calls: label children are bound once
(per route, method and status as they first appear) and kept.
"""

import os
import time
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Generic, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.core.http import ResponseWatch

T = TypeVar("T")

UNCOUNTED_PATHS = frozenset({"/health", "/ready", "/metrics"})

REQUESTS = Counter(
    "grimoire_http_requests_total",
    "HTTP requests served, by service, method, route template and status code.",
    ["service", "method", "route", "status"],
)
LATENCY = Histogram(
    "grimoire_http_request_duration_seconds",
    "Time to serve a request, by service, method and route template.",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
IN_FLIGHT = Gauge(
    "grimoire_http_requests_in_flight",
    "Requests being served now (probes excluded), by service; summed over worker processes.",
    ["service"],
    multiprocess_mode="livesum",
)
OVERLOAD_REJECTIONS = Counter(
    "grimoire_overload_rejections_total",
    "Requests answered 503 because the process was at its in-flight bound.",
    ["service"],
)
# A process has one pool (`grimoire server` shares it between its services); the scrape
# target says which deployment it is.
DB_POOL_SIZE = Gauge(
    "grimoire_db_pool_size",
    "Connections each pool keeps open (GRIMOIRE_DATABASE_POOL_SIZE), summed over processes.",
    multiprocess_mode="livesum",
)
DB_POOL_MAX_OVERFLOW = Gauge(
    "grimoire_db_pool_max_overflow",
    "Connections a pool may open past its size under load (GRIMOIRE_DATABASE_MAX_OVERFLOW), "
    "summed over processes.",
    multiprocess_mode="livesum",
)
DB_POOL_IN_USE = Gauge(
    "grimoire_db_pool_connections_in_use",
    "Database connections held by database calls now, summed over processes.",
    multiprocess_mode="livesum",
)
DB_POOL_WAITING = Gauge(
    "grimoire_db_pool_waiting",
    "Database calls waiting for a pooled connection now, summed over processes.",
    multiprocess_mode="livesum",
)
DB_POOL_WAIT = Histogram(
    "grimoire_db_pool_wait_seconds",
    "Time a database call waited to get its connection (a new connection's opening included; "
    "past GRIMOIRE_DATABASE_POOL_TIMEOUT it is answered 503).",
    buckets=(0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30),
)
DB_CALL_DURATION = Histogram(
    "grimoire_db_call_duration_seconds",
    "Time a database call held its connection: its statements, commit included (the query "
    "latency a request sees; the hot metric writes go around the SQL layer, so this is "
    "measured per call, not per statement).",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30),
)
DB_OUTAGE_RETRIES = Counter(
    "grimoire_db_outage_retries_total",
    "Transactions retried because the database was unreachable (restart, failover).",
)
AUTH_FAILURES = Counter(
    "grimoire_auth_failures_total",
    "Requests the guard refused, by reason (the MLflow error code it answered: "
    "UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE...).",
    ["reason"],
)
TOKEN_CACHE_LOOKUPS = Counter(
    "grimoire_auth_token_cache_lookups_total",
    "Grimoire token lookups by the guard: answered from memory (hit) or the database (miss).",
    ["result"],
)
TOKEN_CACHE_ENABLED = Gauge(
    "grimoire_auth_token_cache_enabled",
    "Processes whose token cache is on (it is off while the credential listener is down).",
    multiprocess_mode="livesum",
)
ACCESS_CACHE_LOOKUPS = Counter(
    "grimoire_auth_access_cache_lookups_total",
    "Authorization facts (a run's experiment, a caller's role) answered from memory (hit) or "
    "read from the database (miss).",
    ["fact", "result"],
)
CREDENTIAL_LISTENER_CONNECTS = Counter(
    "grimoire_auth_credential_listener_connects_total",
    "Times the credential-change listener (re)connected; each one empties the token cache.",
)
LOOP_PASSES = Counter(
    "grimoire_loop_passes_total",
    "Passes of a background loop (services/core/loops.py) that ran to an end, failed or not.",
    ["loop"],
)
LOOP_FAILURES = Counter(
    "grimoire_loop_failures_total",
    "Passes of a background loop that raised (logged; the loop carried on).",
    ["loop"],
)
LOOP_PASS_DURATION = Histogram(
    "grimoire_loop_pass_duration_seconds",
    "Time one pass of a background loop took, failed passes included.",
    ["loop"],
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, service: str):
        self.app = app
        self.service = service
        self._counted: dict[tuple[str, str, int], Counter] = {}
        self._timed: dict[tuple[str, str], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNCOUNTED_PATHS:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        watch = ResponseWatch(send)
        try:
            await self.app(scope, receive, watch.send)
        finally:
            status = watch.status or 500
            route = route_template(scope)
            method = scope["method"]
            counted = self._counted.get((method, route, status))
            if counted is None:
                counted = REQUESTS.labels(self.service, method, route, str(status))
                self._counted[method, route, status] = counted
            timed = self._timed.get((method, route))
            if timed is None:
                timed = self._timed[method, route] = LATENCY.labels(self.service, method, route)
            counted.inc()
            timed.observe(time.perf_counter() - started)


def record_pool_limits(pool_size: int, max_overflow: int) -> None:
    """When a process opens its pool: the bounds its use is read against."""
    DB_POOL_SIZE.set(pool_size)
    DB_POOL_MAX_OVERFLOW.set(max_overflow)


class MeteredCheckout(Generic[T]):
    """Wraps the context manager that checks a connection out (and begins its transaction):
    counts the call as waiting until it has its connection, then as holding one, and times
    the wait and the hold."""

    def __init__(self, checkout: AbstractAsyncContextManager[T]):
        self.checkout = checkout
        self.acquired = 0.0

    async def __aenter__(self) -> T:
        DB_POOL_WAITING.inc()
        started = time.perf_counter()
        try:
            conn = await self.checkout.__aenter__()
        finally:
            DB_POOL_WAITING.dec()
            self.acquired = time.perf_counter()
            DB_POOL_WAIT.observe(self.acquired - started)
        DB_POOL_IN_USE.inc()
        return conn

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        try:
            return await self.checkout.__aexit__(kind, error, traceback)
        finally:
            DB_POOL_IN_USE.dec()
            DB_CALL_DURATION.observe(time.perf_counter() - self.acquired)


def forget_this_process() -> None:
    """At a worker's shutdown: drop its live gauges from the shared directory, so a pod's
    sums do not keep counting a worker that has exited."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(os.getpid())


def metrics_endpoint(_: Request) -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        payload = generate_latest(registry)
    else:
        payload = generate_latest()
    return Response(payload, media_type=CONTENT_TYPE_LATEST)
