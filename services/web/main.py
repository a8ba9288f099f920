"""The web UI service: `uvicorn services.web.main:app`. It serves the built front end and
owns no data: the pages read and write through the other services' public JSON APIs."""

from fastapi import FastAPI

from services.core.app import create_app
from services.specs import ROUTING
from services.web.router import router
from services.web.spec import SPEC


def build(own_lifespan: bool = True) -> FastAPI:
    return create_app(SPEC, (router,), routing=ROUTING, own_lifespan=own_lifespan)


app = build()
