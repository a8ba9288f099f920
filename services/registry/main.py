"""The registry service: `uvicorn services.registry.main:app`.

Registered models, versions, stages, aliases, tags and webhooks. Every process also runs a
webhook delivery worker; replicas share the work through row locks (no singleton).
"""

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from services.core.app import create_app
from services.core.config import registry_settings
from services.registry.models.router import router as models
from services.registry.spec import SPEC
from services.registry.versions.router import router as versions
from services.registry.webhooks.delivery import DeliveryWorker, http_client
from services.registry.webhooks.router import router as webhooks
from services.specs import ROUTING


@contextlib.asynccontextmanager
async def webhook_delivery(app: FastAPI) -> AsyncIterator[None]:
    settings = registry_settings()
    async with http_client(settings) as client:
        app.state.webhook_client = client
        async with DeliveryWorker(app.state.db, settings, client):
            yield


def build(own_lifespan: bool = True) -> FastAPI:
    return create_app(
        SPEC,
        (models, versions, webhooks),
        routing=ROUTING,
        own_lifespan=own_lifespan,
        extensions=(webhook_delivery,),
    )


app = build()
