"""The delivery worker: sends due outbox rows, with retries and exponential backoff.

It is a background loop (services/core/loops.py) inside every registry process and needs no
singleton: claims are row-locked (FOR UPDATE SKIP LOCKED) and leased (services/core/db/
leasing.py), so replicas never send the same attempt, and a worker killed mid-delivery only
delays the event until its lease runs out. At shutdown, deliveries in flight get the loop's
stop grace to finish and record their attempt; one cut off is sent again after its lease.

Outcomes: 2xx succeeds; 408, 425, 429, 5xx and network errors are retried after
backoff * 2^(attempt-1) (or the receiver's Retry-After, if longer) until the retry budget is
spent; any other status, or a target that became unsafe, fails at once. Every attempt is
recorded with its status, latency and the start of the response.
"""

import asyncio
import contextlib
import email.utils
import logging
import random
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import asyncpg
from fastapi import FastAPI

from services.core.clock import now_ms
from services.core.config import RegistrySettings, registry_settings
from services.core.db.engine import Database
from services.core.db.notifications import asyncpg_dsn, listening_connection
from services.core.loops import LoopService
from services.registry.webhooks import repository, ssrf
from services.registry.webhooks.outbox_metrics import ATTEMPT_RESULTS, DELIVERIES_FAILED
from services.registry.webhooks.secret_box import decrypt
from services.registry.webhooks.signing import (
    DELIVERY_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)

if TYPE_CHECKING:  # imported when the first webhook is sent (WebhookClient)
    import httpx

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "grimoire_webhooks"  # migration 0019
RETRYABLE = {408, 425, 429}
EXCERPT_CHARS = 1024
BATCH = 16


def retry_after_seconds(response: "httpx.Response | None") -> float | None:
    value = response.headers.get("retry-after") if response is not None else None
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


async def send(
    client: "WebhookClient",
    settings: RegistrySettings,
    url: str,
    delivery_id: str,
    payload: str,
    secret: str | None,
) -> "httpx.Response":
    """One signed POST, exactly as MLflow sends it (the signed text is the sent body)."""
    await ssrf.check_target(url, settings)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        DELIVERY_ID_HEADER: delivery_id,
        TIMESTAMP_HEADER: timestamp,
    }
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, delivery_id, timestamp, payload)
    return await client.opened().post(url, content=payload.encode(), headers=headers)


class WebhookClient:
    """The HTTP client webhooks are sent with, opened at the first send. httpx and the
    client's TLS context cost a process a few MiB, and most servers never send a webhook:
    `grimoire server` mounts the registry in every worker."""

    def __init__(self, settings: RegistrySettings):
        self.settings = settings
        self._client: httpx.AsyncClient | None = None

    def opened(self) -> "httpx.AsyncClient":
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.settings.webhook_timeout_seconds),
                follow_redirects=False,
                limits=httpx.Limits(max_connections=32),
                headers={"User-Agent": "Grimoire-Webhooks/1"},
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


class DeliveryWorker(LoopService):
    """Each pass sends one claimed batch; a full queue is drained pass after pass. An idle
    worker listens on `grimoire_webhooks` (migration 0019 notifies it at the commit of a new
    or replayed delivery) and sleeps until a notification, until the earliest retry or lease
    end of a pending delivery, or for `webhook_idle_seconds`; without its listening
    connection it polls every `webhook_poll_seconds`, as all workers did before."""

    name = "webhook-delivery"

    def __init__(self, db: Database, settings: RegistrySettings, client: WebhookClient):
        super().__init__()
        self.db = db
        self.settings = settings
        self.client = client
        self.interval_seconds = settings.webhook_poll_seconds
        self.dsn = asyncpg_dsn(db.engine.url.render_as_string(hide_password=False))
        self._listener: asyncpg.Connection | None = None
        self._due_at: float | None = None  # monotonic: when the next pending one is claimable

    @property
    def listening(self) -> bool:
        return self._listener is not None and not self._listener.is_closed()

    def next_pause(self) -> float:
        if not self.listening or self.consecutive_failures:
            return super().next_pause()
        pause = self.settings.webhook_idle_seconds
        if self._due_at is not None:
            # Not sooner than a poll: one due but row-locked by another worker's claim is
            # leased (not due) once that claim commits.
            poll = self.settings.webhook_poll_seconds
            pause = min(pause, max(poll, self._due_at - time.monotonic()))
        return pause

    async def _listen(self) -> None:
        """Connect the listening connection if it is not up; failing that, keep polling."""
        if self.listening:
            return
        try:
            self._listener = await listening_connection(
                self.dsn, NOTIFY_CHANNEL, "grimoire-webhooks", self._notified, self._lost
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
            log.warning("webhook delivery cannot listen (%s); polling", error)

    def _notified(self, *_: Any) -> None:
        self.wake()

    def _lost(self, conn: asyncpg.Connection) -> None:
        if conn is self._listener:
            log.warning("webhook delivery stopped listening; polling")
            self._listener = None
            self.wake()  # the pause in progress was chosen for a listening worker

    async def on_stop(self) -> None:
        conn, self._listener = self._listener, None
        if conn is not None and not conn.is_closed():
            conn.terminate()

    @property
    def overrun_seconds(self) -> float:
        # Passes wait on receivers, so they often outlast the poll interval; one that outlasts
        # the lease is the trouble: its deliveries may be claimed and sent again elsewhere.
        return self.settings.webhook_lease_seconds

    async def run_once(self) -> bool:
        await self._listen()  # before the claim: a delivery committed after it wakes us
        lease_ms = int(self.settings.webhook_lease_seconds * 1000)
        now = now_ms()
        claimed, due = await self.db.transaction(repository.claim, now, lease_ms, BATCH)
        # Retries (anyone's) and leases left by a dead worker announce nothing: sleep until
        # the earliest of them is claimable.
        self._due_at = None if due is None else time.monotonic() + (due - now) / 1000
        await asyncio.gather(*(self.deliver(row) for row in claimed))
        return bool(claimed)  # a batch was due: more may be

    async def deliver(self, row: Any) -> None:
        started = time.perf_counter()
        started_at = now_ms()
        import httpx  # loaded by the first send (WebhookClient), which this is part of

        response: httpx.Response | None = None
        error: str | None = None
        permanent = False
        try:
            if row.status != "ACTIVE":
                raise ssrf.UnsafeTarget("the webhook is disabled")
            secret = decrypt(row.secret_encrypted, self.settings) if row.secret_encrypted else None
            response = await send(
                self.client, self.settings, row.url, row.delivery_id, row.payload, secret
            )
        except ssrf.UnsafeTarget as unsafe:
            error, permanent = f"refused: {unsafe}", True
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"[:500]
        duration_ms = int((time.perf_counter() - started) * 1000)
        success = response is not None and 200 <= response.status_code < 300
        if response is not None and not success:
            retryable = response.status_code in RETRYABLE or response.status_code >= 500
            permanent = not retryable
        ATTEMPT_RESULTS[success].inc()
        attempt = {
            "attempt": row.attempts,
            "started_at": started_at,
            "duration_ms": duration_ms,
            "status_code": response.status_code if response is not None else None,
            "success": success,
            "error": error,
            "response_excerpt": response.text[:EXCERPT_CHARS] if response is not None else None,
        }
        await self.db.transaction(
            repository.record_attempt,
            row.delivery_id,
            attempt,
            self.outcome(row, success, permanent, response),
        )

    def outcome(
        self, row: Any, success: bool, permanent: bool, response: "httpx.Response | None"
    ) -> dict[str, Any]:
        now = now_ms()
        if success:
            return {"state": "succeeded", "finished_at": now}
        if permanent or row.attempts >= self.settings.webhook_max_attempts:
            DELIVERIES_FAILED.inc()
            return {"state": "failed", "finished_at": now}
        backoff = self.settings.webhook_backoff_seconds * 2 ** (row.attempts - 1)
        backoff *= random.uniform(0.8, 1.2)  # spread retries of many deliveries apart
        delay = max(backoff, retry_after_seconds(response) or 0.0)
        delay = min(delay, self.settings.webhook_max_backoff_seconds)
        return {"next_attempt_at": now + int(delay * 1000)}


@contextlib.asynccontextmanager
async def webhook_delivery(app: FastAPI) -> AsyncIterator[None]:
    """The registry's loop: every process delivers; replicas share the outbox through row
    locks (no singleton). The client is also the one "send a test event" uses."""
    client = WebhookClient(registry_settings())
    app.state.webhook_client = client
    try:
        async with DeliveryWorker(app.state.db, client.settings, client):
            yield
    finally:
        await client.aclose()
