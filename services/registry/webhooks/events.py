"""Write events into the outbox, inside the transaction of the change that caused them.

If the change commits, every subscribed webhook has a pending delivery; if it rolls back,
none does. Delivery happens later, in the background worker.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.core.clock import now_ms
from services.core.db.engine import Connection
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
                select(webhooks.c.webhook_id).where(
                    webhooks.c.status == "ACTIVE", webhooks.c.events.contains([key])
                )
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
        insert(webhook_deliveries).values(
            [
                {
                    "delivery_id": str(uuid.uuid4()),
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
    )
    return len(subscribed)
