"""SQL for webhooks and their deliveries. Functions never commit."""

from collections import defaultdict
from typing import Any

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from services.core.db import leasing
from services.core.db.arrays import one_of
from services.core.db.engine import Connection
from services.core.db.tables.registry import (
    webhook_deliveries,
    webhook_delivery_attempts,
    webhooks,
)

w, d = webhooks.c, webhook_deliveries.c


async def create(conn: Connection, values: dict[str, Any]) -> None:
    """Nothing if the id exists: ids are 128 random bits, so only a replay of the same call
    (engine.chosen_once) can meet its own row."""
    await conn.execute(insert(webhooks).values(**values).on_conflict_do_nothing())


async def get(conn: Connection, webhook_id: str) -> Row | None:
    return (await conn.execute(select(webhooks).where(w.webhook_id == webhook_id))).first()


async def update_fields(conn: Connection, webhook_id: str, **values: Any) -> None:
    await conn.execute(update(webhooks).where(w.webhook_id == webhook_id).values(**values))


async def remove(conn: Connection, webhook_id: str) -> bool:
    return (await conn.execute(delete(webhooks).where(w.webhook_id == webhook_id))).rowcount > 0


async def page(conn: Connection, offset: int, limit: int) -> list[Row]:
    statement = select(webhooks).order_by(w.creation_timestamp, w.webhook_id)
    return list(await conn.execute(statement.offset(offset).limit(limit)))


async def deliveries(
    conn: Connection, webhook_id: str, state: str | None, limit: int
) -> tuple[list[Row], dict[str, list[Row]]]:
    statement = select(webhook_deliveries).where(d.webhook_id == webhook_id)
    if state:
        statement = statement.where(d.state == state)
    rows = list(await conn.execute(statement.order_by(d.created_at.desc()).limit(limit)))
    attempts: dict[str, list[Row]] = defaultdict(list)
    if rows:
        a = webhook_delivery_attempts.c
        for row in await conn.execute(
            select(webhook_delivery_attempts)
            .where(one_of(a.delivery_id, [r.delivery_id for r in rows]))
            .order_by(a.delivery_id, a.attempt)
        ):
            attempts[row.delivery_id].append(row)
    return rows, attempts


async def replay(conn: Connection, webhook_id: str, delivery_id: str, now: int) -> bool:
    result = await conn.execute(
        update(webhook_deliveries)
        .where(d.webhook_id == webhook_id, d.delivery_id == delivery_id, d.state != "pending")
        .values(
            state="pending", attempts=0, next_attempt_at=now, lease_until=None, finished_at=None
        )
    )
    return result.rowcount > 0


async def claim(
    conn: Connection, now: int, lease_ms: int, batch: int
) -> tuple[list[Row], int | None]:
    """Due deliveries, leased to this worker, with what sending needs of their webhook; when
    none is due, the time (ms) the earliest pending one becomes claimable (None: none is
    pending). SKIP LOCKED keeps replicas off each other's rows; the lease hands a delivery to
    someone else if this worker dies holding it. Each claim is an attempt: `attempts` counts
    it."""
    statement = (
        leasing.claim(
            webhook_deliveries,
            d.lease_until,
            now=now,
            until=now + lease_ms,
            limit=batch,
            where=(d.state == "pending", d.next_attempt_at <= now),
            order_by=(d.next_attempt_at,),
            also_set={d.attempts: d.attempts + 1},
        )
        .where(w.webhook_id == d.webhook_id)
        .returning(
            d.delivery_id,
            d.webhook_id,
            d.entity,
            d.action,
            d.payload,
            d.attempts,
            d.created_at,
            w.url,
            w.secret_encrypted,
            w.status,
        )
    )
    claimed = list(await conn.execute(statement))
    if claimed:
        return claimed, None
    claimable_at = func.greatest(d.next_attempt_at, func.coalesce(d.lease_until, 0))
    due = await conn.execute(select(func.min(claimable_at)).where(d.state == "pending"))
    return claimed, due.scalar()


async def record_attempt(
    conn: Connection,
    delivery_id: str,
    attempt: dict[str, Any],
    outcome: dict[str, Any],
) -> None:
    await conn.execute(insert(webhook_delivery_attempts).values(delivery_id=delivery_id, **attempt))
    await conn.execute(
        update(webhook_deliveries)
        .where(d.delivery_id == delivery_id)
        .values(lease_until=None, **outcome)
    )


async def backlog(conn: Connection) -> tuple[int, int | None]:
    """Pending deliveries and the creation time (ms) of the oldest, None when there is none."""
    statement = select(func.count(), func.min(d.created_at)).where(d.state == "pending")
    pending, oldest = (await conn.execute(statement)).one()
    return int(pending), oldest
