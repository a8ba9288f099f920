"""The web UI service: `uvicorn services.web.main:app`. It serves the built front end and
owns no data: the pages read and write through the other services' public JSON APIs."""

from services.core.app import create_app
from services.web.spec import SPEC

app = create_app(SPEC)
