"""The artifact proxy service: `uvicorn services.artifacts.main:app`."""

from services.artifacts.spec import SPEC
from services.core.app import create_app

app = create_app(SPEC)
