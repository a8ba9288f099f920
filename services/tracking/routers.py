from services.tracking.experiments.router import router as experiments
from services.tracking.logged_models.router import router as logged_models
from services.tracking.metrics.router import router as metrics
from services.tracking.run_artifacts import router as run_artifacts
from services.tracking.runs.router import router as runs
from services.tracking.server_info import router as server_info

ROUTERS = (experiments, runs, metrics, logged_models, run_artifacts, server_info)
