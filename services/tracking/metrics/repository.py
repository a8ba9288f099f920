"""Reads of metric points. History is one indexed query streamed out in MLflow's order
(timestamp, step, value)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from services.core.db.engine import Connection
from services.core.db.tables.tracking import metrics


async def history(
    conn: Connection, run_id: str, key: str, offset: int, limit: int | None
) -> list[Any]:
    m = metrics.c
    statement = (
        select(m.timestamp, m.step, m.value)
        .where(m.run_uuid == run_id, m.key == key)
        .order_by(m.timestamp, m.step, m.value)
        .offset(offset)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return (await conn.execute(statement)).all()


async def distinct_steps(
    conn: Connection, run_id: str, key: str, start: int | None, end: int | None
) -> list[int]:
    m = metrics.c
    statement = select(m.step).distinct().where(m.run_uuid == run_id, m.key == key)
    if start is not None:
        statement = statement.where(m.step >= start)
    if end is not None:
        statement = statement.where(m.step <= end)
    return list((await conn.execute(statement.order_by(m.step))).scalars())


async def points_at_steps(
    conn: Connection, run_id: str, key: str, steps: Sequence[int]
) -> list[Any]:
    m = metrics.c
    statement = (
        select(m.timestamp, m.step, m.value)
        .where(m.run_uuid == run_id, m.key == key, m.step.in_(steps))
        .order_by(m.step, m.timestamp, m.value)
    )
    return (await conn.execute(statement)).all()
