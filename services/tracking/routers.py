from services.core.auth.api import router as access_api
from services.core.auth.web import router as sign_in
from services.tracking.experiments.router import router as experiments
from services.tracking.logged_models.router import router as logged_models
from services.tracking.metrics.router import ajax_router as chart_metrics
from services.tracking.metrics.router import router as metrics
from services.tracking.run_artifacts import router as run_artifacts
from services.tracking.runs.router import router as runs
from services.tracking.server_info import router as server_info
from services.tracking.summaries.router import router as summaries
from services.tracking.views.router import router as views

# The auth endpoints (/auth, /me, /api/2.0/grimoire) are core's, served by tracking.
# Runs and metrics first: the router tries routes in order, and logging is the hot path.
ROUTERS = (
    runs,
    metrics,
    experiments,
    logged_models,
    run_artifacts,
    server_info,
    # The JSON the web UI needs beyond MLflow's API.
    chart_metrics,
    summaries,
    views,
    sign_in,
    access_api,
)
