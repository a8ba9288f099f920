"""The jobs service: `uvicorn services.jobs.main:app`.

Training jobs as Kubernetes Jobs queued by Kueue, each one an MLflow run. Every process also
runs the reconciler and the watches; replicas share the work through row locks (no singleton).
"""

from services.core.app import create_app
from services.jobs.spec import SPEC

app = create_app(SPEC)
