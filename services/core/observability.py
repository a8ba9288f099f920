"""Prometheus metrics: requests and latency by route template, database pool use, and
background loops (passes, failures, pass duration by loop name).

Labels use the route template (`/api/2.0/mlflow-artifacts/artifacts/{path:path}`), never the
raw path, so cardinality stays bounded. Health and metrics endpoints are not counted. With
several worker processes, `PROMETHEUS_MULTIPROC_DIR` is set by `grimoire server` (or the pod
spec) and /metrics aggregates every worker.
"""

import os
import time

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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
DB_POOL_IN_USE = Gauge(
    "grimoire_db_pool_connections_in_use",
    "Database connections checked out of the pool, per process.",
    ["service"],
    multiprocess_mode="livesum",
)
DB_OUTAGE_RETRIES = Counter(
    "grimoire_db_outage_retries_total",
    "Transactions retried because the database was unreachable (restart, failover).",
)
OVERLOAD_REJECTIONS = Counter(
    "grimoire_overload_rejections_total",
    "Requests answered 503 because the process was at its in-flight bound.",
    ["service"],
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNCOUNTED_PATHS:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            route = route_template(scope)
            method = scope["method"]
            REQUESTS.labels(self.service, method, route, str(status)).inc()
            LATENCY.labels(self.service, method, route).observe(time.perf_counter() - started)
            db = getattr(scope["app"].state, "db", None) if "app" in scope else None
            if db is not None:
                DB_POOL_IN_USE.labels(self.service).set(db.engine.pool.checkedout())


def metrics_endpoint(_: Request) -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        payload = generate_latest(registry)
    else:
        payload = generate_latest()
    return Response(payload, media_type=CONTENT_TYPE_LATEST)
