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
        # Everything no other service claims (probes, unknown paths: a JSON 404), until the
        # web UI takes "/".
        "/",
    ),
)
