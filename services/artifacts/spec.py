"""The artifact proxy, as the kit and the routing table see it."""

from services.core.spec import ServiceSpec

SPEC = ServiceSpec(
    name="artifacts",
    prefixes=("/api/2.0/mlflow-artifacts/", "/ajax-api/2.0/mlflow-artifacts/"),
)
