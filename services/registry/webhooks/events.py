"""Write events into the outbox, inside the transaction of the change that caused them.

If the change commits, every subscribed webhook has a pending delivery; if it rolls back,
none does. Delivery happens later, in the background worker.

Delivery ids are chosen once per request (engine.chosen_once) and inserted ON CONFLICT DO
NOTHING: a change replayed after its COMMIT's answer was lost writes no second delivery of
the same event. The subscribed webhooks are read FOR KEY SHARE, so a webhook deleted
meanwhile either waits for this change or is not subscribed any more, never a delivery
pointing at a deleted webhook (a foreign key error, a 500 for the change).
"""

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.core.clock import now_ms
from services.core.db.engine import Connection, chosen_once
from services.core.db.tables.registry import webhook_deliveries, webhooks


def envelope(entity: str, action: str, data: dict[str, Any]) -> str:
    """MLflow's payload: {"entity", "action", "timestamp", "data"}, as the exact JSON text
    that is sent and signed."""
    return orjson.dumps(
        {
            "entity": entity,
            "action": action,
            "timestamp": datetime.now(UTC).isoformat(),
            "data": data,
        }
    ).decode()


async def emit(conn: Connection, entity: str, action: str, data: dict[str, Any]) -> int:
    key = f"{entity}.{action}"
    subscribed = (
        (
            await conn.execute(
                select(webhooks.c.webhook_id)
                .where(webhooks.c.status == "ACTIVE", webhooks.c.events.contains([key]))
                .with_for_update(read=True, key_share=True)
            )
        )
        .scalars()
        .all()
    )
    if not subscribed:
        return 0
    payload = envelope(entity, action, data)
    now = now_ms()
    await conn.execute(
        insert(webhook_deliveries)
        .values(
            [
                {
                    "delivery_id": chosen_once(("delivery", key, webhook_id), _new_delivery_id),
                    "webhook_id": webhook_id,
                    "entity": entity,
                    "action": action,
                    "payload": payload,
                    "state": "pending",
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for webhook_id in subscribed
            ]
        )
        .on_conflict_do_nothing()
    )
    return len(subscribed)


def _new_delivery_id() -> str:
    return str(uuid.uuid4())
