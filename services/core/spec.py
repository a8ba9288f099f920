"""How a service describes itself to the kit.

The kit (`services/core`) names no service: each service exports a `ServiceSpec` from its
`spec.py` (plain data, cheap to import), and whatever composes services (`services/specs.py`)
lists them. The routing table, and so `grimoire server`'s dispatch, the 501 catalogue and the
Kubernetes Ingress, is assembled from the specs' prefixes.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    # URL path prefixes this service answers; across services the longest prefix wins.
    prefixes: tuple[str, ...]


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
