"""What operators watch of webhooks: delivery attempts by result, deliveries given up, and
the outbox's backlog (pending deliveries, the oldest one's age).

The backlog is the database's, the same from every process: each registry process samples
it every `webhook_backlog_sample_seconds` (a loop), and with several worker processes the
pod reports the most recent live sample."""

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from prometheus_client import Counter, Gauge

from services.core.clock import now_ms
from services.core.config import registry_settings
from services.core.db.engine import Database
from services.core.loops import LoopService
from services.registry.webhooks import repository

DELIVERY_ATTEMPTS = Counter(
    "grimoire_webhook_delivery_attempts_total",
    "Webhook delivery attempts, by result: success (2xx) or error (any other status, a "
    "network error, a refused target).",
    ["result"],
)
# Bound once; an attempt's success picks its child.
ATTEMPT_RESULTS = {
    True: DELIVERY_ATTEMPTS.labels("success"),
    False: DELIVERY_ATTEMPTS.labels("error"),
}
DELIVERIES_FAILED = Counter(
    "grimoire_webhook_deliveries_failed_total",
    "Deliveries given up: a permanent refusal, or the retry budget spent.",
)
OUTBOX_PENDING = Gauge(
    "grimoire_webhook_outbox_pending",
    "Deliveries waiting in the outbox (due or backing off).",
    multiprocess_mode="livemostrecent",
)
OUTBOX_OLDEST_AGE = Gauge(
    "grimoire_webhook_outbox_oldest_age_seconds",
    "Age of the oldest pending delivery; 0 when the outbox is empty.",
    multiprocess_mode="livemostrecent",
)
METRICS = (DELIVERY_ATTEMPTS, DELIVERIES_FAILED, OUTBOX_PENDING, OUTBOX_OLDEST_AGE)


class BacklogSampler(LoopService):
    name = "webhook-backlog-sampler"

    def __init__(self, db: Database, interval_seconds: float):
        super().__init__()
        self.db = db
        self.interval_seconds = interval_seconds

    async def run_once(self) -> None:
        pending, oldest = await self.db.autocommit(repository.backlog)
        OUTBOX_PENDING.set(pending)
        OUTBOX_OLDEST_AGE.set(0 if oldest is None else max(0, now_ms() - oldest) / 1000)


@contextlib.asynccontextmanager
async def backlog_sampling(app: FastAPI) -> AsyncIterator[None]:
    async with BacklogSampler(app.state.db, registry_settings().webhook_backlog_sample_seconds):
        yield
