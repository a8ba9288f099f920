"""Reads of metric points. History is one indexed query streamed out in MLflow's order
(timestamp, step, value); the bulk-interval history for charts is one statement that
downsamples in SQL."""

from collections.abc import Sequence
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


# Per run: with at most `max_results` points in range, every point; otherwise the range of
# steps cut into equal buckets, each giving its lowest, highest and last point (a one-step
# spike is some bucket's highest, so it survives). Each run is read twice from the primary key
# index (its step range, then its buckets) inside a LATERAL, so the bucket bounds are constants
# of that run's subquery, where joining every point to a table of run ranges hashed each
# point's run id once more. A point is picked with min/max over arrays (value, step,
# timestamp), which PostgreSQL aggregates by hashing, where ranking rows in windows sorted
# every point three times. docs/tracking.md has the measured times. The arrays are float8, so a
# sampled point's step and timestamp are exact within +/-2^53 and the nearest double beyond
# (clamped to int64).
_EXACT_INT64 = (
    "CASE WHEN {0} >= 9223372036854775807 THEN 9223372036854775807 "
    "WHEN {0} <= -9223372036854775808 THEN -9223372036854775808 ELSE {0}::bigint END"
)
_BUCKETED_HISTORY = f"""
WITH per_run AS MATERIALIZED (
    SELECT r.run_uuid, s.lo, s.hi, s.n
    FROM unnest($1::text[]) AS r(run_uuid)
    CROSS JOIN LATERAL (
        SELECT min(step) AS lo, max(step) AS hi, count(*) AS n FROM metrics
        WHERE run_uuid = r.run_uuid AND key = $2 AND step BETWEEN $3 AND $4
    ) s
), buckets AS (
    SELECT r.run_uuid, b.low, b.high, b.last
    FROM per_run r CROSS JOIN LATERAL (
        SELECT min(ARRAY[m.value, m.step, m.timestamp]) AS low,
            max(ARRAY[m.value, m.step, m.timestamp]) AS high,
            max(ARRAY[m.step, m.timestamp, m.value]) AS last
        FROM metrics m
        WHERE m.run_uuid = r.run_uuid AND m.key = $2 AND m.step BETWEEN $3 AND $4
        GROUP BY least(floor((m.step::float8 - r.lo) * $6 / (r.hi::float8 - r.lo + 1)), $6 - 1)
    ) b
    WHERE r.n > $5
), chosen AS (
    SELECT run_uuid, last AS p FROM buckets
    UNION SELECT run_uuid, ARRAY[low[2], low[3], low[1]] FROM buckets WHERE $7
    UNION SELECT run_uuid, ARRAY[high[2], high[3], high[1]] FROM buckets WHERE $7
)
SELECT run_uuid, {_EXACT_INT64.format("p[2]")} AS timestamp,
    {_EXACT_INT64.format("p[1]")} AS step, p[3] AS value
FROM chosen
UNION ALL
SELECT m.run_uuid, m.timestamp, m.step, m.value
FROM per_run r JOIN metrics m ON m.run_uuid = r.run_uuid
WHERE r.n <= $5 AND m.key = $2 AND m.step BETWEEN $3 AND $4
ORDER BY run_uuid, step, timestamp, value
"""
# The planner's cost estimate for a chart of many long runs turns on JIT, whose compiling took
# longer than running the plan. Deduplicating the picked points of 100 runs (up to 250,000
# arrays) hashes in 64 MB; the default 4 MB sorts them.
_BUCKETS_SETTINGS = "SET LOCAL jit = off; SET LOCAL work_mem = '64MB'"


async def bucketed_history(
    conn: Connection,
    run_ids: Sequence[str],
    key: str,
    steps: tuple[int, int],
    max_results: int,
) -> list[Any]:
    """(run_uuid, timestamp, step, value) rows, at most `max_results` per run, ordered by
    run, step, timestamp and value. Fewer than three points per bucket cannot keep each
    bucket's extremes, so then each of `max_results` buckets gives its last point only."""
    keeps_extremes = max_results >= 3
    buckets = max_results // 3 if keeps_extremes else max_results
    raw = await driver_connection(conn)
    await raw.execute(_BUCKETS_SETTINGS)
    return await raw.fetch(
        _BUCKETED_HISTORY, list(run_ids), key, *steps, max_results, buckets, keeps_extremes
    )
