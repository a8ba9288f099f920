"""The model registry, as the kit and the routing table see it."""

from services.core.spec import ServiceSpec, mlflow_endpoints
from services.registry.caller_role.router import router as caller_role
from services.registry.models.router import router as models
from services.registry.resolvers import RESOLVERS
from services.registry.versions.router import router as versions
from services.registry.webhooks import outbox_metrics
from services.registry.webhooks.delivery import webhook_delivery
from services.registry.webhooks.router import router as webhooks

SPEC = ServiceSpec(
    name="registry",
    prefixes=(
        "/api/2.0/mlflow/registered-models/",
        "/api/2.0/mlflow/model-versions/",
        "/api/2.0/mlflow/webhooks",
        "/ajax-api/2.0/mlflow/registered-models/",
        "/ajax-api/2.0/mlflow/model-versions/",
        "/ajax-api/2.0/mlflow/webhooks",
        # The web UI's JSON beyond MLflow's API (docs/ui.md).
        "/api/2.0/grimoire/registered-models/",
    ),
    routers=(models, versions, webhooks, caller_role),
    resolvers=RESOLVERS,
    loops=(webhook_delivery, outbox_metrics.backlog_sampling),
    metrics=outbox_metrics.METRICS,
    mlflow_endpoints=mlflow_endpoints(__package__),
)
