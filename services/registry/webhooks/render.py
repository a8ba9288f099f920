"""A webhook as MLflow's Webhook message (webhooks.proto), its test result, and Grimoire's own
delivery log, with the responses that carry them."""

from typing import Any, NotRequired, TypedDict

from services.core.paging import Page
from services.registry.webhooks.catalogue import EXTENSIONS


class WebhookEvent(TypedDict):
    entity: str
    action: str


class Webhook(TypedDict):
    webhook_id: str
    name: str
    url: str
    events: list[WebhookEvent]
    grimoire_events: list[WebhookEvent]  # Grimoire's events beyond MLflow's, kept apart
    status: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: NotRequired[str]


class WebhookTestResult(TypedDict):
    success: bool
    response_status: NotRequired[int]
    response_body: NotRequired[str]
    error_message: NotRequired[str]


class WebhookDeliveryAttempt(TypedDict):
    attempt: int
    started_at: int
    duration_ms: int
    status_code: int | None
    success: bool
    error: str | None
    response_excerpt: str | None


class WebhookDelivery(TypedDict):
    delivery_id: str
    webhook_id: str
    event: WebhookEvent
    state: str
    attempts: int
    created_at: int
    next_attempt_at: int | None
    finished_at: int | None
    attempt_log: list[WebhookDeliveryAttempt]


class CreateWebhookResponse(TypedDict):
    webhook: Webhook


class GetWebhookResponse(TypedDict):
    webhook: Webhook


class UpdateWebhookResponse(TypedDict):
    webhook: Webhook


class ListWebhooksResponse(TypedDict):
    webhooks: list[Webhook]
    next_page_token: NotRequired[str]


class TestWebhookResponse(TypedDict):
    result: WebhookTestResult


class ListWebhookDeliveriesResponse(TypedDict):
    deliveries: list[WebhookDelivery]


def _event(key: str) -> WebhookEvent:
    """A stored event key (`model_version.created`) as the wire spells it."""
    entity, action = key.split(".")
    return {"entity": entity.upper(), "action": action.upper()}


def render_webhook(row: Any) -> Webhook:
    webhook: Webhook = {
        "webhook_id": row.webhook_id,
        "name": row.name,
        "url": row.url,
        "events": [_event(key) for key in row.events if key not in EXTENSIONS],
        "grimoire_events": [_event(key) for key in row.events if key in EXTENSIONS],
        "status": row.status,
        "creation_timestamp": row.creation_timestamp,
        "last_updated_timestamp": row.last_updated_timestamp,
    }
    if row.description:
        webhook["description"] = row.description
    return webhook


def render_delivery(row: Any, attempts: list[Any]) -> WebhookDelivery:
    return {
        "delivery_id": row.delivery_id,
        "webhook_id": row.webhook_id,
        "event": {"entity": row.entity.upper(), "action": row.action.upper()},
        "state": row.state,
        "attempts": row.attempts,
        "created_at": row.created_at,
        "next_attempt_at": row.next_attempt_at if row.state == "pending" else None,
        "finished_at": row.finished_at,
        "attempt_log": [
            {
                "attempt": a.attempt,
                "started_at": a.started_at,
                "duration_ms": a.duration_ms,
                "status_code": a.status_code,
                "success": a.success,
                "error": a.error,
                "response_excerpt": a.response_excerpt,
            }
            for a in attempts
        ],
    }


def list_webhooks_response(page: Page[Webhook]) -> ListWebhooksResponse:
    response: ListWebhooksResponse = {"webhooks": page.items}
    if page.next_page_token:
        response["next_page_token"] = page.next_page_token
    return response
