"""The registry service: `uvicorn services.registry.main:app`.

Its endpoints arrive with the model registry issue; until then every registry path answers
501 NOT_IMPLEMENTED in MLflow's shape (registered by the app factory from the catalogue).
"""

from fastapi import FastAPI

from services.core.app import create_app


def build(own_lifespan: bool = True) -> FastAPI:
    return create_app("registry", (), own_lifespan=own_lifespan)


app = build()
