"""The charts' history (get-history-bulk-interval), downsampled in SQL so spikes survive.

Per run: with at most `max_results` points in range, every point; otherwise the range of steps
cut into equal buckets, each giving its lowest, highest and last point (a one-step spike is
some bucket's highest, so it survives). Three reads: each run's step range and point count;
every point of the short runs; the picked points of the long ones.

Picking reads and aggregates every point of a long run, and a chart is drawn again and again
(each visit, each teammate). So the picks of a whole history are kept (`metric_bucket_cache`)
with the number of points they were picked from: metric points are only ever inserted, so an
unchanged count is an unchanged history, and the next drawing reads the picks instead of
aggregating 100,000 points again. docs/tracking.md has the measured times.
"""

from collections.abc import Sequence
from typing import Any

from services.core.db.engine import Connection, driver_connection
from services.core.fields import INT64_MAX, INT64_MIN

# The planner's cost estimate for a chart of many long runs turns on JIT, whose compiling took
# longer than running the plan. Deduplicating the picked points of 100 runs (up to 250,000
# arrays) hashes in 64 MB; the default 4 MB sorts them.
_SETTINGS = "SET LOCAL jit = off; SET LOCAL work_mem = '64MB'"

# Each run's step range and point count, read from the primary key index inside a LATERAL.
_RANGES = """
SELECT r.run_uuid, s.lo, s.hi, s.n
FROM unnest($1::text[]) AS r(run_uuid)
CROSS JOIN LATERAL (
    SELECT min(step) AS lo, max(step) AS hi, count(*) AS n FROM metrics
    WHERE run_uuid = r.run_uuid AND key = $2 AND step BETWEEN $3 AND $4
) s
WHERE s.n > 0
"""

_EVERY_POINT = """
SELECT run_uuid, timestamp, step, value FROM metrics
WHERE run_uuid = ANY($1::text[]) AND key = $2 AND step BETWEEN $3 AND $4
ORDER BY run_uuid, step, timestamp, value
"""

# The bucket bounds ($5 lo, $6 hi per run) are constants of each run's subquery. A point is
# picked with min/max over arrays (value, step, timestamp), which PostgreSQL aggregates by
# hashing, where ranking rows in windows sorted every point three times. Points logged after
# the range was read fall into the edge buckets (clamped), so there are never more buckets
# than asked for. The arrays are float8, so a picked point's step and timestamp are exact
# within +/-2^53 and the nearest double beyond (clamped to int64).
_EXACT_INT64 = (
    "CASE WHEN {0} >= 9223372036854775807 THEN 9223372036854775807 "
    "WHEN {0} <= -9223372036854775808 THEN -9223372036854775808 ELSE {0}::bigint END"
)
_PICKED = f"""
WITH buckets AS (
    SELECT r.run_uuid, b.low, b.high, b.last
    FROM unnest($1::text[], $5::bigint[], $6::bigint[]) AS r(run_uuid, lo, hi)
    CROSS JOIN LATERAL (
        SELECT min(ARRAY[m.value, m.step, m.timestamp]) AS low,
            max(ARRAY[m.value, m.step, m.timestamp]) AS high,
            max(ARRAY[m.step, m.timestamp, m.value]) AS last
        FROM metrics m
        WHERE m.run_uuid = r.run_uuid AND m.key = $2 AND m.step BETWEEN $3 AND $4
        GROUP BY greatest(
            least(floor((m.step::float8 - r.lo) * $7 / (r.hi::float8 - r.lo + 1)), $7 - 1), 0)
    ) b
), chosen AS (
    SELECT run_uuid, last AS p FROM buckets
    UNION SELECT run_uuid, ARRAY[low[2], low[3], low[1]] FROM buckets WHERE $8
    UNION SELECT run_uuid, ARRAY[high[2], high[3], high[1]] FROM buckets WHERE $8
)
SELECT run_uuid, {_EXACT_INT64.format("p[2]")} AS timestamp,
    {_EXACT_INT64.format("p[1]")} AS step, p[3] AS value
FROM chosen
ORDER BY run_uuid, step, timestamp, value
"""

_CACHED = """
SELECT c.run_uuid, c.picked_timestamps, c.picked_steps, c.picked_values
FROM metric_bucket_cache c
JOIN unnest($1::text[], $3::bigint[]) AS r(run_uuid, n) ON c.run_uuid = r.run_uuid
WHERE c.key = $2 AND c.points = r.n AND c.max_results = $4
"""

# Concurrent drawings of the same chart both write; either's picks are right for its count.
_KEEP = """
INSERT INTO metric_bucket_cache AS c
    (run_uuid, key, points, max_results, picked_timestamps, picked_steps, picked_values)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (run_uuid, key) DO UPDATE SET
    points = excluded.points, max_results = excluded.max_results,
    picked_timestamps = excluded.picked_timestamps, picked_steps = excluded.picked_steps,
    picked_values = excluded.picked_values
"""


async def chart_history(
    conn: Connection,
    run_ids: Sequence[str],
    key: str,
    steps: tuple[int, int],
    max_results: int,
) -> list[tuple[str, int, int, float]]:
    """(run_uuid, timestamp, step, value) rows, at most `max_results` per run, ordered by
    run, step, timestamp and value. Fewer than three points per bucket cannot keep each
    bucket's extremes, so then each of `max_results` buckets gives its last point only."""
    raw = await driver_connection(conn)
    await raw.execute(_SETTINGS)
    ranges = await raw.fetch(_RANGES, list(run_ids), key, *steps)
    short = [r["run_uuid"] for r in ranges if r["n"] <= max_results]
    long = [r for r in ranges if r["n"] > max_results]
    rows: list[tuple[str, int, int, float]] = []
    if short:
        rows.extend(tuple(row) for row in await raw.fetch(_EVERY_POINT, short, key, *steps))
    if long:
        rows.extend(await _picked(raw, long, key, steps, max_results))
    rows.sort(key=lambda row: row[0])  # stable: each run's points stay in order
    return rows


async def _picked(
    raw: Any, ranges: list[Any], key: str, steps: tuple[int, int], max_results: int
) -> list[tuple[str, int, int, float]]:
    whole_history = steps == (INT64_MIN, INT64_MAX)  # a zoomed window is not kept
    picked: dict[str, list[tuple[str, int, int, float]]] = {}
    if whole_history:
        ids, counts = [r["run_uuid"] for r in ranges], [r["n"] for r in ranges]
        for run_id, timestamps, run_steps, values in await raw.fetch(
            _CACHED, ids, key, counts, max_results
        ):
            picked[run_id] = [
                (run_id, t, s, v) for t, s, v in zip(timestamps, run_steps, values, strict=True)
            ]
    # In run order, so concurrent drawings lock the kept rows in the same order.
    missing = sorted(
        (r for r in ranges if r["run_uuid"] not in picked), key=lambda r: r["run_uuid"]
    )
    if missing:
        keeps_extremes = max_results >= 3
        buckets = max_results // 3 if keeps_extremes else max_results
        fresh: dict[str, list[tuple[str, int, int, float]]] = {r["run_uuid"]: [] for r in missing}
        for row in await raw.fetch(
            _PICKED,
            [r["run_uuid"] for r in missing],
            key,
            *steps,
            [r["lo"] for r in missing],
            [r["hi"] for r in missing],
            buckets,
            keeps_extremes,
        ):
            fresh[row[0]].append(tuple(row))
        if whole_history:
            await raw.executemany(
                _KEEP,
                [
                    (
                        r["run_uuid"],
                        key,
                        r["n"],
                        max_results,
                        [p[1] for p in fresh[r["run_uuid"]]],
                        [p[2] for p in fresh[r["run_uuid"]]],
                        [p[3] for p in fresh[r["run_uuid"]]],
                    )
                    for r in missing
                ],
            )
        picked.update(fresh)
    return [row for run_id in sorted(picked) for row in picked[run_id]]
