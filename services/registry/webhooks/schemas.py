"""Webhook requests, named after MLflow's messages (responses: render.py)."""

from services.core.http import MlflowMessage


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
