"""The model registry, as the kit and the routing table see it."""

from services.core.spec import ServiceSpec

SPEC = ServiceSpec(
    name="registry",
    prefixes=(
        "/api/2.0/mlflow/registered-models/",
        "/api/2.0/mlflow/model-versions/",
        "/api/2.0/mlflow/webhooks",
        "/ajax-api/2.0/mlflow/registered-models/",
        "/ajax-api/2.0/mlflow/model-versions/",
    ),
)
