"""The tracking service, as the kit and the routing table see it."""

from services.core.spec import ServiceSpec

SPEC = ServiceSpec(
    name="tracking",
    prefixes=(
        "/api/2.0/mlflow/",
        "/api/3.0/mlflow/",
        "/ajax-api/",
        # The auth endpoints are core's, served by tracking.
        "/auth/",
        "/me",
        "/api/2.0/grimoire/",
    ),
)
