"""Reads of metric points. A history page is one indexed statement streamed out in MLflow's
order (timestamp, step, value); the charts' downsampled history is `buckets.py`."""

from dataclasses import dataclass

from services.core.db.engine import Connection, driver_connection

# One round trip per page: the run's existence (a missing run is a 404, not an empty page)
# and the page's points as three arrays. asyncpg decodes a bigint[] or float8[] in one call,
# where 25,000 rows were 25,000 records to build and unpack (a third of a page's server
# time). The arrays take their order from the subquery: the aggregate reads the primary key
# range scan's rows as the scan returns them (ORDER BY inside array_agg would sort each
# array again, three sorts a page); the plan is pinned to that scan below.
_PAGE = """
SELECT EXISTS (SELECT 1 FROM runs WHERE run_uuid = $1),
    array_agg(timestamp), array_agg(step), array_agg(value)
FROM (
    SELECT timestamp, step, value FROM metrics
    WHERE run_uuid = $1 AND key = $2 AND (timestamp, step, value) > ($3, $4, $5)
    ORDER BY timestamp, step, value
    LIMIT $6
) AS page
"""

# Before every point: PostgreSQL orders NaN above +Infinity, so -Infinity is the floor.
_START = (-(2**63), -(2**63), float("-inf"))


@dataclass(frozen=True)
class HistoryPage:
    run_exists: bool
    timestamps: list[int]
    steps: list[int]
    values: list[float]


async def history(
    conn: Connection,
    run_id: str,
    key: str,
    after: tuple[int, int, float] | None,
    limit: int | None,
) -> HistoryPage:
    """Up to `limit` points after the `after` cursor (None: all of them), in history order:
    an index range scan (the primary key is in this order), on the raw asyncpg connection,
    since 200k rows through the ORM layer would cost more than the query."""
    raw = await driver_connection(conn)
    # The primary key range scan returns rows already in order and is always the right plan,
    # but right after a run logs its points (as benchmarks and dashboards do) the statistics
    # are stale and the planner picks a bitmap scan plus a sort of every point, per page.
    # Transaction-local settings pin the index path for this one statement.
    await raw.execute("SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off")
    row = await raw.fetchrow(_PAGE, run_id, key, *(after or _START), limit)
    exists, timestamps, steps, values = row
    return HistoryPage(exists, timestamps or [], steps or [], values or [])
