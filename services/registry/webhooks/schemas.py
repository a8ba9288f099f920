from typing import Any

from services.core.http import MlflowMessage
from services.registry.webhooks.catalogue import EXTENSIONS, event_parts


class WebhookEventIn(MlflowMessage):
    entity: str
    action: str


class CreateWebhook(MlflowMessage):
    name: str
    description: str | None = None
    url: str
    events: list[WebhookEventIn]
    secret: str | None = None
    status: str = "ACTIVE"


class UpdateWebhook(MlflowMessage):
    name: str | None = None
    description: str | None = None
    url: str | None = None
    events: list[WebhookEventIn] | None = None
    secret: str | None = None
    status: str | None = None


class ListWebhooks(MlflowMessage):
    max_results: int = 100
    page_token: str | None = None


class TestWebhook(MlflowMessage):
    event: WebhookEventIn | None = None


class ListDeliveries(MlflowMessage):
    state: str | None = None
    max_results: int = 100


def render_webhook(row: Any) -> dict[str, Any]:
    webhook: dict[str, Any] = {
        "webhook_id": row.webhook_id,
        "name": row.name,
        "url": row.url,
        "events": [event_parts(key) for key in row.events if key not in EXTENSIONS],
        "grimoire_events": [event_parts(key) for key in row.events if key in EXTENSIONS],
        "status": row.status,
        "creation_timestamp": row.creation_timestamp,
        "last_updated_timestamp": row.last_updated_timestamp,
    }
    if row.description:
        webhook["description"] = row.description
    return webhook


def render_delivery(row: Any, attempts: list[Any]) -> dict[str, Any]:
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
