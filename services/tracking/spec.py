"""The tracking service, as the kit and the routing table see it."""

from services.core.auth.api import router as access_api
from services.core.auth.web import router as sign_in
from services.core.spec import ServiceSpec, mlflow_endpoints
from services.tracking.experiments.router import router as experiments
from services.tracking.ingest_counters import METRIC_POINTS_LOGGED, PARAMS_LOGGED, RUNS_CREATED
from services.tracking.logged_models.router import router as logged_models
from services.tracking.metrics.router import router as metrics
from services.tracking.resolvers import RESOLVERS
from services.tracking.run_artifacts import router as run_artifacts
from services.tracking.runs.router import router as runs
from services.tracking.server_info import router as server_info
from services.tracking.summaries.router import router as summaries
from services.tracking.views.router import router as views

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
    # Runs and metrics first: logging is the hot path.
    routers=(
        runs,
        metrics,
        experiments,
        logged_models,
        run_artifacts,
        server_info,
        # The JSON the web UI needs beyond MLflow's API (docs/tracking.md).
        summaries,
        views,
        sign_in,
        access_api,
    ),
    resolvers=RESOLVERS,
    metrics=(RUNS_CREATED, PARAMS_LOGGED, METRIC_POINTS_LOGGED),
    mlflow_endpoints=mlflow_endpoints(__package__),
)
