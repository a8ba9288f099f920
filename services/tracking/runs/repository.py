"""SQL for runs, params, tags and metric points. Functions never commit.

The metric path is written for throughput: a whole batch of points is one INSERT ... SELECT
FROM unnest(arrays) (one round trip, one prepared statement whatever the batch size), and
the latest values are one upsert whose WHERE keeps the greatest (step, timestamp, value).
"""

from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
from sqlalchemy import Row, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, TEXT, insert
from sqlalchemy.exc import IntegrityError

from services.core.db.arrays import one_of
from services.core.db.engine import Connection, driver_connection
from services.core.db.tables.tracking import (
    logged_model_metrics,
    params,
    runs,
    tags,
)
from services.core.enums import LifecycleStage
from services.tracking.runs.search import RunQuery


async def insert_run(conn: Connection, values: dict[str, Any]) -> None:
    await conn.execute(insert(runs).values(**values))


# Built once: a statement made per call cost more of the SQL layer's time than its execution.
_GET_RUN = select(runs).where(runs.c.run_uuid == bindparam("run_id"))
_GET_RUN_LOCKED = _GET_RUN.with_for_update()


async def get(conn: Connection, run_id: str, *, lock: bool = False) -> Row | None:
    return (await conn.execute(_GET_RUN_LOCKED if lock else _GET_RUN, {"run_id": run_id})).first()


async def missing(conn: Connection, run_ids: Sequence[str]) -> list[str]:
    """The ids among `run_ids` that name no run, in their order."""
    found = set(
        (await conn.execute(select(runs.c.run_uuid).where(one_of(runs.c.run_uuid, run_ids))))
        .scalars()
        .all()
    )
    return [run_id for run_id in run_ids if run_id not in found]


async def update_fields(conn: Connection, run_id: str, **values: Any) -> None:
    await conn.execute(update(runs).where(runs.c.run_uuid == run_id).values(**values))


async def set_lifecycle_for_experiment(
    conn: Connection, experiment_id: int, stage: LifecycleStage
) -> None:
    await conn.execute(
        update(runs).where(runs.c.experiment_id == experiment_id).values(lifecycle_stage=stage)
    )


_INSERT_PARAMS = text(
    "INSERT INTO params (run_uuid, key, value) "
    "SELECT :run_uuid, k, v FROM unnest(:keys, :values) AS u(k, v) "
    "ON CONFLICT (run_uuid, key) DO NOTHING RETURNING key"
).bindparams(bindparam("keys", type_=ARRAY(TEXT)), bindparam("values", type_=ARRAY(TEXT)))


async def insert_params(
    conn: Connection, run_id: str, items: Sequence[tuple[str, str]]
) -> list[tuple[str, str, str]]:
    """Insert params; return (key, stored value, new value) for each key already logged with
    a different value. Runs after the insert, so a concurrent writer of the same key is seen."""
    if not items:
        return []
    keys = [key for key, _ in items]
    inserted = set(
        (
            await conn.execute(
                _INSERT_PARAMS,
                {"run_uuid": run_id, "keys": keys, "values": [value for _, value in items]},
            )
        ).scalars()
    )
    existing_keys = [key for key in keys if key not in inserted]
    if not existing_keys:
        return []
    stored = dict(
        (
            await conn.execute(
                select(params.c.key, params.c.value).where(
                    params.c.run_uuid == run_id, params.c.key.in_(existing_keys)
                )
            )
        ).all()
    )
    return [
        (key, stored[key], value) for key, value in items if key in stored and stored[key] != value
    ]


# One prepared statement whatever the number of tags (a multi-row VALUES was a new statement,
# built and compiled, per row count).
_UPSERT_TAGS = text(
    "INSERT INTO tags (run_uuid, key, value) "
    "SELECT :run_uuid, k, v FROM unnest(:keys, :values) AS u(k, v) "
    "ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value"
).bindparams(bindparam("keys", type_=ARRAY(TEXT)), bindparam("values", type_=ARRAY(TEXT)))


async def upsert_tags(conn: Connection, run_id: str, items: Sequence[tuple[str, str]]) -> None:
    if not items:
        return
    # Last write wins within one request, as in MLflow; dedupe so the upsert touches a row once.
    unique = sorted(dict(items).items())
    await conn.execute(
        _UPSERT_TAGS,
        {
            "run_uuid": run_id,
            "keys": [key for key, _ in unique],
            "values": [value for _, value in unique],
        },
    )


async def delete_tag(conn: Connection, run_id: str, key: str) -> bool:
    result = await conn.execute(tags.delete().where(tags.c.run_uuid == run_id, tags.c.key == key))
    return result.rowcount > 0


def _order_key(point: tuple[str, float, int, int]) -> tuple[int, int, int, float]:
    """PostgreSQL's float8 order: NaN above every number, so mirror it here."""
    _, value, timestamp, step = point
    return (step, timestamp, 1, 0.0) if value != value else (step, timestamp, 0, value)


def latest_per_key(
    points: Iterable[tuple[str, float, int, int]],
) -> list[tuple[str, float, int, int]]:
    """Reduce (key, value, timestamp, step) points to the latest per key, sorted by key so
    concurrent batches lock latest_metrics rows in the same order (no deadlocks)."""
    best: dict[str, tuple[str, float, int, int]] = {}
    for point in points:
        current = best.get(point[0])
        if current is None or _order_key(point) > _order_key(current):
            best[point[0]] = point
    return [best[key] for key in sorted(best)]


# The hot path in one statement: check the run is active, insert the points and upsert the
# latest values. One statement is atomic on its own, so it runs in autocommit: one round trip
# instead of BEGIN + three statements + COMMIT. Returns the run's lifecycle stage (no row:
# no such run); nothing is written unless the run exists and is active. It is sent on the raw
# asyncpg connection (a prepared statement in asyncpg's cache): the SQL layer's per-call
# statement handling cost more than the statement's own client-side work.
_LOG_METRICS = """
    WITH run AS (
        SELECT lifecycle_stage FROM runs WHERE run_uuid = $1
    ), points AS (
        SELECT * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::text[],
                             $7::text[], $8::text[]) AS u(k, s, t, v, m, dn, dd)
        WHERE EXISTS (SELECT 1 FROM run WHERE lifecycle_stage = 'active')
    ), inserted AS (
        INSERT INTO metrics (run_uuid, key, step, timestamp, value, model_id, dataset_name,
                             dataset_digest)
        SELECT $1, k, s, t, v, m, dn, dd FROM points
        {on_conflict}
    ), latest AS (
        INSERT INTO latest_metrics AS l (run_uuid, key, step, timestamp, value)
        SELECT $1, k, s, t, v FROM unnest($9::text[], $10::bigint[], $11::bigint[],
                                          $12::float8[]) AS u(k, s, t, v)
        WHERE EXISTS (SELECT 1 FROM run WHERE lifecycle_stage = 'active')
        ON CONFLICT (run_uuid, key) DO UPDATE
        SET step = excluded.step, timestamp = excluded.timestamp, value = excluded.value
        WHERE (excluded.step, excluded.timestamp, excluded.value) > (l.step, l.timestamp, l.value)
    )
    SELECT lifecycle_stage FROM run
"""
# A point logged twice (a retried request, a client re-sending a batch) is stored once. ON
# CONFLICT DO NOTHING makes PostgreSQL insert every point speculatively (a second index probe
# and a confirmation per row), about a quarter of the insert's cost. Points are almost never
# repeated, so the plain insert goes first; a repeat aborts it whole (one statement, nothing
# written) and the batch is sent again with ON CONFLICT DO NOTHING.
_LOG_NEW_METRICS = _LOG_METRICS.format(on_conflict="")
_LOG_METRICS_IDEMPOTENT = _LOG_METRICS.format(on_conflict="ON CONFLICT DO NOTHING")


async def write_metrics(
    conn: Connection | asyncpg.Connection, run_id: str, points: Sequence[Any]
) -> str | None:
    """Write metric points; return the run's lifecycle stage (None: no such run). Nothing is
    written unless the run is active. `points` have key, value, timestamp, step, model_id,
    dataset_name, dataset_digest. One statement, atomic even in autocommit."""
    latest = latest_per_key((p.key, p.value, p.timestamp, p.step) for p in points)
    arguments = (
        run_id,
        [p.key for p in points],
        [p.step for p in points],
        [p.timestamp for p in points],
        [p.value for p in points],
        [p.model_id for p in points],
        [p.dataset_name for p in points],
        [p.dataset_digest for p in points],
        [key for key, _, _, _ in latest],
        [step for _, _, _, step in latest],
        [timestamp for _, _, timestamp, _ in latest],
        [value for _, value, _, _ in latest],
    )
    raw = await driver_connection(conn)
    if raw.is_in_transaction():
        # A failed statement would abort the caller's transaction: no optimistic attempt.
        stage = await raw.fetchval(_LOG_METRICS_IDEMPOTENT, *arguments)
    else:
        try:
            stage = await raw.fetchval(_LOG_NEW_METRICS, *arguments)
        except asyncpg.UniqueViolationError:
            stage = await raw.fetchval(_LOG_METRICS_IDEMPOTENT, *arguments)
    return stage


async def write_model_metrics(conn: Connection, run_id: str, points: Sequence[Any]) -> bool:
    """MLflow 3 also records points logged with a model id on that model. False: a point names
    a logged model that does not exist (its foreign key refused the statement, which leaves
    the caller's transaction to be rolled back)."""
    statement = insert(logged_model_metrics).values(
        [
            {
                "model_id": p.model_id,
                "key": p.key,
                "value": p.value,
                "timestamp": p.timestamp,
                "step": p.step,
                "run_id": run_id,
                "dataset_name": p.dataset_name,
                "dataset_digest": p.dataset_digest,
            }
            for p in points
        ]
    )
    try:
        await conn.execute(statement)
    except IntegrityError:
        return False
    return True


async def tag_value(conn: Connection, run_id: str, key: str) -> str | None:
    statement = select(tags.c.value).where(tags.c.run_uuid == run_id, tags.c.key == key)
    return (await conn.execute(statement)).scalar_one_or_none()


async def search(
    conn: Connection,
    experiment_ids: Sequence[int],
    stages: Sequence[str],
    query: RunQuery,
    offset: int,
    limit: int,
) -> list[asyncpg.Record]:
    """Matching runs' rows (every `runs` column in table order), on the raw asyncpg connection:
    the statement is compiled once per filter (RunQuery.page_statement).

    It runs as PostgreSQL's unnamed statement, parsed and planned for this call's values. A
    filter's selectivity depends on its values, and a named prepared statement (asyncpg
    caches one per text) switches to a generic plan after five executions when that plan
    looks no costlier on average: the generic plan of `metrics.accuracy > 0.9 and
    params.model = 'rf'` walked every 'rf' run where the planned-for-values one reads the
    page in index order, several times faster. Parse and execute are two round trips; the
    alternative, `SET LOCAL plan_cache_mode` inside a transaction, cost three more (BEGIN
    with the setting, the setting back for the page's details, COMMIT) (figures:
    docs/benchmarks.md)."""
    raw = await driver_connection(conn)
    statement = await raw.prepare(query.page_statement.text, name="")
    rows: list[asyncpg.Record] = await statement.fetch(
        *query.page_statement.arguments(
            experiment_ids=list(experiment_ids), stages=list(stages), offset=offset, limit=limit
        )
    )
    return rows
