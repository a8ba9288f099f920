"""The artifact proxy service: `uvicorn services.artifacts.main:app`."""

from fastapi import FastAPI

from services.artifacts.inert import InertResponses
from services.artifacts.multipart import router as multipart
from services.artifacts.router import router
from services.artifacts.spec import SPEC
from services.core.app import create_app
from services.specs import ROUTING


def build(own_lifespan: bool = True) -> FastAPI:
    app = create_app(SPEC, (router, multipart), routing=ROUTING, own_lifespan=own_lifespan)
    # Outermost: every response of the service, the guard's and the limits' included.
    app.add_middleware(InertResponses)
    return app


app = build()
