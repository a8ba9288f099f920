"""Reads of metric points. History is one indexed query streamed out in MLflow's order
(timestamp, step, value); the charts' downsampled history is `buckets.py`."""

from typing import Any

from services.core.db.engine import Connection, driver_connection

_HISTORY = (
    "SELECT timestamp, step, value FROM metrics WHERE run_uuid = $1 AND key = $2 "
    "AND (timestamp, step, value) > ($3, $4, $5) ORDER BY timestamp, step, value"
)


async def history(
    conn: Connection,
    run_id: str,
    key: str,
    after: tuple[int, int, float] | None,
    limit: int | None,
) -> list[Any]:
    """Points after the `after` cursor, in history order: an index range scan (the primary
    key is in this order), on the raw asyncpg connection, since 200k rows through the ORM
    layer would cost more than the query."""
    raw = await driver_connection(conn)
    # The primary key range scan returns rows already in order and is always the right plan,
    # but right after a run logs its points (as benchmarks and dashboards do) the statistics
    # are stale and the planner picks a bitmap scan plus a sort of every point, per page.
    # Transaction-local settings pin the index path for this one statement.
    await raw.execute("SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off")
    cursor = after or (-(2**63), -(2**63), float("-inf"))
    sql = _HISTORY + (f" LIMIT {int(limit)}" if limit is not None else "")
    return await raw.fetch(sql, run_id, key, *cursor)
