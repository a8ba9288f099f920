"""How a service describes itself to the kit.

The kit (`services/core`) names no service: each service exports a `ServiceSpec` from its
`spec.py`, and whatever composes services (`services/specs.py`: `grimoire server`, the routing
table, the Ingress) lists them. The app factory builds a service from its spec alone: its
routes (each carrying its rule, `@requires`, and its message, `@accepts`), the resolvers that
find what those rules name, its background loops, its outermost middleware and the MLflow
endpoints it answers (501 for those it has no route for).
"""

import re
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from importlib import resources

from fastapi import APIRouter, FastAPI
from prometheus_client.metrics import MetricWrapperBase
from starlette.types import ASGIApp

from services.core.auth.decisions import Resolver

# A service's own long-lived work (e.g. the webhook delivery worker): entered after the
# shared resources are attached to the app, exited before they close.
Loop = Callable[[FastAPI], AbstractAsyncContextManager[None]]
Middleware = Callable[[ASGIApp], ASGIApp]
Endpoint = tuple[str, str]  # (method, path template)


_MLFLOW_REST = re.compile(r"/api/(?=[0-9.]+/mlflow(-artifacts)?/)")


def ajax_twin(path: str) -> str | None:
    """MLflow serves each REST route (`/api/<version>/mlflow...`) also under `/ajax-api/`,
    which its own UI calls."""
    return _MLFLOW_REST.sub("/ajax-api/", path, count=1) if _MLFLOW_REST.match(path) else None


def mlflow_endpoints(package: str) -> tuple[Endpoint, ...]:
    """The MLflow endpoints a service answers, from its package's `mlflow_endpoints.txt`."""
    text = resources.files(package).joinpath("mlflow_endpoints.txt").read_text()
    return tuple(
        (method, path)
        for method, path in (line.split(" ", 1) for line in text.splitlines() if line)
        if not method.startswith("#")
    )


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    # URL path prefixes this service answers; across services the longest prefix wins.
    prefixes: tuple[str, ...]
    # Hot routers first: the router tries routes in order.
    routers: tuple[APIRouter, ...] = ()
    # Rule target -> how to find it (services/core/auth/decisions.py).
    resolvers: Mapping[str, Resolver] = field(default_factory=dict)
    loops: tuple[Loop, ...] = ()
    # Wrapped around everything else the factory installs, first one outermost.
    middleware: tuple[Middleware, ...] = ()
    # The Prometheus metrics the service's own code exports (the kit's are in observability).
    metrics: tuple[MetricWrapperBase, ...] = ()
    # MLflow's endpoints under this service's prefixes (see `mlflow_endpoints`).
    mlflow_endpoints: tuple[Endpoint, ...] = ()


class RoutingTable:
    """Which service answers which path: the longest matching prefix of any spec."""

    def __init__(self, specs: tuple[ServiceSpec, ...]):
        pairs = [(prefix, spec.name) for spec in specs for prefix in spec.prefixes]
        owners: dict[str, str] = {}
        for prefix, name in pairs:
            if owners.setdefault(prefix, name) != name:
                raise ValueError(f"{prefix!r} is claimed by both {owners[prefix]} and {name}")
        self.routes: tuple[tuple[str, str], ...] = tuple(
            sorted(pairs, key=lambda pair: (-len(pair[0]), pair[0]))
        )

    def service_for(self, path: str) -> str | None:
        for prefix, service in self.routes:
            if path.startswith(prefix):
                return service
        return None
