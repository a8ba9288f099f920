"""The tracking service: `uvicorn services.tracking.main:app`."""

from fastapi import FastAPI

from services.core.app import create_app
from services.tracking.routers import ROUTERS


def build(own_lifespan: bool = True) -> FastAPI:
    return create_app("tracking", ROUTERS, own_lifespan=own_lifespan)


app = build()
