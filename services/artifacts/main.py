"""The artifact proxy service: `uvicorn services.artifacts.main:app`."""

from fastapi import FastAPI

from services.artifacts.multipart import router as multipart
from services.artifacts.router import router
from services.core.app import create_app


def build(own_lifespan: bool = True) -> FastAPI:
    return create_app("artifacts", (router, multipart), own_lifespan=own_lifespan)


app = build()
