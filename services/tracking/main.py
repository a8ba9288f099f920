"""The tracking service: `uvicorn services.tracking.main:app`."""

from services.core.app import create_app
from services.tracking.spec import SPEC

app = create_app(SPEC)
