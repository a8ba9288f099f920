"""Webhook subscriptions, test sends, delivery history and replay."""

import uuid
from typing import Any

from services.core.clock import now_ms
from services.core.config import RegistrySettings
from services.core.db import use_cases
from services.core.db.engine import Connection, chosen_once
from services.core.errors import InvalidParameterValue, ResourceDoesNotExist
from services.core.paging import search_page
from services.registry.webhooks import repository, ssrf
from services.registry.webhooks.catalogue import EXAMPLES, event_key
from services.registry.webhooks.delivery import WebhookClient, send
from services.registry.webhooks.events import envelope
from services.registry.webhooks.render import (
    ListWebhookDeliveriesResponse,
    ListWebhooksResponse,
    Webhook,
    WebhookTestResult,
    list_webhooks_response,
    render_delivery,
    render_webhook,
)
from services.registry.webhooks.schemas import (
    CreateWebhook,
    ListWebhooks,
    UpdateWebhook,
    WebhookEventIn,
)
from services.registry.webhooks.secret_box import decrypt, encrypt

STATUSES = {"ACTIVE", "DISABLED"}


def _events(events: list[WebhookEventIn]) -> list[str]:
    if not events:
        raise InvalidParameterValue("A webhook needs at least one event.")
    return sorted({event_key(e.entity, e.action) for e in events})


def _status(status: str) -> str:
    if status.upper() not in STATUSES:
        raise InvalidParameterValue(f"Invalid webhook status '{status}'. Use ACTIVE or DISABLED.")
    return status.upper()


@use_cases.transaction
async def require(conn: Connection, webhook_id: str) -> Any:
    row = await repository.get(conn, webhook_id)
    if row is None:
        raise ResourceDoesNotExist(f"Webhook with ID {webhook_id} not found.")
    return row


@use_cases.transaction
async def create(conn: Connection, request: CreateWebhook, settings: RegistrySettings) -> Webhook:
    if not request.name.strip():
        raise InvalidParameterValue("Webhook name cannot be empty.")
    await ssrf.validate(request.url, settings)
    now = now_ms()
    # Chosen once per call, inserted ON CONFLICT DO NOTHING: a create replayed after its
    # COMMIT's answer was lost returns the webhook it made instead of making a second one.
    webhook_id = chosen_once("webhook_id", lambda: uuid.uuid4().hex)
    await repository.create(
        conn,
        {
            "webhook_id": webhook_id,
            "name": request.name,
            "description": request.description,
            "url": request.url,
            "events": _events(request.events),
            "secret_encrypted": encrypt(request.secret, settings) if request.secret else None,
            "status": _status(request.status),
            "creation_timestamp": now,
            "last_updated_timestamp": now,
        },
    )
    return render_webhook(await require.on(conn, webhook_id))


@use_cases.transaction
async def get(conn: Connection, webhook_id: str) -> Webhook:
    return render_webhook(await require.on(conn, webhook_id))


@use_cases.transaction
async def list_page(conn: Connection, request: ListWebhooks) -> ListWebhooksResponse:
    if not 1 <= request.max_results <= 1000:
        raise InvalidParameterValue("max_results must be between 1 and 1000.")
    page = await search_page(
        request,
        lambda offset, limit: repository.page(conn, offset, limit),
        _render_page,
    )
    return list_webhooks_response(page)


async def _render_page(rows: list[Any]) -> list[Webhook]:
    return [render_webhook(row) for row in rows]


@use_cases.transaction
async def update(
    conn: Connection, webhook_id: str, request: UpdateWebhook, settings: RegistrySettings
) -> Webhook:
    await require.on(conn, webhook_id)
    values: dict[str, Any] = {"last_updated_timestamp": now_ms()}
    if request.name is not None:
        if not request.name.strip():
            raise InvalidParameterValue("Webhook name cannot be empty.")
        values["name"] = request.name
    if request.description is not None:
        values["description"] = request.description
    if request.url is not None:
        await ssrf.validate(request.url, settings)
        values["url"] = request.url
    if request.events is not None:
        values["events"] = _events(request.events)
    if request.secret is not None:
        values["secret_encrypted"] = encrypt(request.secret, settings) if request.secret else None
    if request.status is not None:
        values["status"] = _status(request.status)
    await repository.update_fields(conn, webhook_id, **values)
    return render_webhook(await require.on(conn, webhook_id))


@use_cases.transaction
async def delete(conn: Connection, webhook_id: str) -> None:
    if not await repository.remove(conn, webhook_id):
        raise ResourceDoesNotExist(f"Webhook with ID {webhook_id} not found.")


async def test_send(
    row: Any, event: WebhookEventIn | None, settings: RegistrySettings, client: WebhookClient
) -> WebhookTestResult:
    """Send an example payload now, outside the outbox, and report what the receiver said."""
    import httpx  # loaded by the send (WebhookClient)

    key = event_key(event.entity, event.action) if event else row.events[0]
    entity, action = key.split(".")
    secret = decrypt(row.secret_encrypted, settings) if row.secret_encrypted else None
    try:
        response = await send(
            client,
            settings,
            row.url,
            str(uuid.uuid4()),
            envelope(entity, action, EXAMPLES[key]),
            secret,
        )
    except (httpx.HTTPError, ssrf.UnsafeTarget) as error:
        return {"success": False, "error_message": f"{type(error).__name__}: {error}"[:500]}
    result: WebhookTestResult = {
        "success": 200 <= response.status_code < 300,
        "response_status": response.status_code,
        "response_body": response.text[:1024],
    }
    if not result["success"]:
        result["error_message"] = f"Receiver answered HTTP {response.status_code}"
    return result


@use_cases.transaction
async def deliveries(
    conn: Connection, webhook_id: str, state: str | None, limit: int
) -> ListWebhookDeliveriesResponse:
    await require.on(conn, webhook_id)
    if state is not None and state not in ("pending", "succeeded", "failed"):
        raise InvalidParameterValue("state must be pending, succeeded or failed.")
    rows, attempts = await repository.deliveries(conn, webhook_id, state, min(max(limit, 1), 1000))
    return {"deliveries": [render_delivery(r, attempts[r.delivery_id]) for r in rows]}


@use_cases.transaction
async def replay(conn: Connection, webhook_id: str, delivery_id: str) -> None:
    await require.on(conn, webhook_id)
    if not await repository.replay(conn, webhook_id, delivery_id, now_ms()):
        raise InvalidParameterValue(
            f"Delivery {delivery_id} of webhook {webhook_id} does not exist or is still pending."
        )
