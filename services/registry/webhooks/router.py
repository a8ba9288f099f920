from fastapi import APIRouter
from starlette.requests import Request

from services.core.auth.policy import ADMIN, Rule, requires
from services.core.config import registry_settings
from services.core.http import JSONResponse, accepts, empty, parse_request
from services.registry.webhooks import service
from services.registry.webhooks.render import (
    CreateWebhookResponse,
    GetWebhookResponse,
    TestWebhookResponse,
    UpdateWebhookResponse,
)
from services.registry.webhooks.schemas import (
    CreateWebhook,
    ListDeliveries,
    ListWebhooks,
    TestWebhook,
    UpdateWebhook,
)

router = APIRouter(prefix="/api/2.0/mlflow/webhooks", tags=["webhooks"])


@router.post("")
@accepts(CreateWebhook)
@requires(Rule("admin", "ADMIN", audit="webhook.create"))
async def create_webhook(request: Request) -> JSONResponse:
    body = await parse_request(request, CreateWebhook)
    webhook = await service.create(request.app.state.db, body, registry_settings())
    return JSONResponse(CreateWebhookResponse(webhook=webhook))


@router.get("")
@accepts(ListWebhooks)
@requires(ADMIN)
async def list_webhooks(request: Request) -> JSONResponse:
    body = await parse_request(request, ListWebhooks)
    return JSONResponse(await service.list_page(request.app.state.db, body))


@router.get("/{webhook_id}")
@requires(ADMIN)
async def get_webhook(request: Request, webhook_id: str) -> JSONResponse:
    webhook = await service.get(request.app.state.db, webhook_id)
    return JSONResponse(GetWebhookResponse(webhook=webhook))


@router.patch("/{webhook_id}")
@accepts(UpdateWebhook)
@requires(Rule("admin", "ADMIN", audit="webhook.update"))
async def update_webhook(request: Request, webhook_id: str) -> JSONResponse:
    body = await parse_request(request, UpdateWebhook)
    webhook = await service.update(request.app.state.db, webhook_id, body, registry_settings())
    return JSONResponse(UpdateWebhookResponse(webhook=webhook))


@router.delete("/{webhook_id}")
@requires(Rule("admin", "ADMIN", audit="webhook.delete"))
async def delete_webhook(request: Request, webhook_id: str) -> JSONResponse:
    await service.delete(request.app.state.db, webhook_id)
    return empty()


@router.post("/{webhook_id}/test")
@accepts(TestWebhook)
@requires(ADMIN)
async def test_webhook(request: Request, webhook_id: str) -> JSONResponse:
    body = await parse_request(request, TestWebhook)
    row = await service.require(request.app.state.db, webhook_id)
    state = request.app.state
    result = await service.test_send(row, body.event, registry_settings(), state.webhook_client)
    return JSONResponse(TestWebhookResponse(result=result))


@router.get("/{webhook_id}/deliveries")
@accepts(ListDeliveries)
@requires(ADMIN)
async def list_deliveries(request: Request, webhook_id: str) -> JSONResponse:
    body = await parse_request(request, ListDeliveries)
    listing = await service.deliveries(
        request.app.state.db, webhook_id, body.state, body.max_results
    )
    return JSONResponse(listing)


@router.post("/{webhook_id}/deliveries/{delivery_id}/replay")
@requires(Rule("admin", "ADMIN", audit="webhook.replay"))
async def replay_delivery(request: Request, webhook_id: str, delivery_id: str) -> JSONResponse:
    await service.replay(request.app.state.db, webhook_id, delivery_id)
    return empty()
