"""The tracking service: `uvicorn services.tracking.main:app`."""

from fastapi import FastAPI

from services.core.app import create_app
from services.specs import ROUTING
from services.tracking.routers import ROUTERS
from services.tracking.spec import SPEC


def build(own_lifespan: bool = True) -> FastAPI:
    return create_app(SPEC, ROUTERS, routing=ROUTING, own_lifespan=own_lifespan)


app = build()
