"""SQL of the summaries: grouped aggregates over the runs' metric points and over runs."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from services.core.db.arrays import one_of
from services.core.db.engine import Connection, driver_connection
from services.core.db.tables.tracking import experiments, latest_metrics, metrics, runs

_NAN = float("nan")


async def metric_summaries(
    conn: Connection, run_ids: Sequence[str], keys: Sequence[str]
) -> list[Any]:
    """(run_uuid, key, min, max, latest value, latest step) per run and key, ordered by both.
    The extremes skip NaN (PostgreSQL orders NaN above every number, so one NaN point would
    be every run's max); they are NULL when every point is NaN. Each (run, key) is a range
    of the metrics primary key."""
    m, latest = metrics.c, latest_metrics.c
    number = m.value != _NAN
    statement = (
        select(
            m.run_uuid,
            m.key,
            func.min(m.value).filter(number),
            func.max(m.value).filter(number),
            latest.value,
            latest.step,
        )
        .join(latest_metrics, (latest.run_uuid == m.run_uuid) & (latest.key == m.key))
        .where(one_of(m.run_uuid, run_ids))
        .group_by(m.run_uuid, m.key, latest.value, latest.step)
        .order_by(m.run_uuid, m.key)
    )
    if keys:
        statement = statement.where(one_of(m.key, keys))
    return list((await conn.execute(statement)).all())


async def existing_experiments(conn: Connection, experiment_ids: Sequence[int]) -> set[int]:
    e = experiments.c
    found = await conn.execute(
        select(e.experiment_id).where(one_of(e.experiment_id, experiment_ids))
    )
    return set(found.scalars())


async def run_counts(conn: Connection, experiment_ids: Sequence[int]) -> list[Any]:
    """(experiment_id, active runs, deleted runs) for the experiments that have runs."""
    r = runs.c
    statement = (
        select(
            r.experiment_id,
            func.count().filter(r.lifecycle_stage == "active"),
            func.count().filter(r.lifecycle_stage == "deleted"),
        )
        .where(one_of(r.experiment_id, experiment_ids))
        .group_by(r.experiment_id)
    )
    return list((await conn.execute(statement)).all())


# The keys of an experiment's newest runs: what its runs table's column picker offers. Bounded
# so an experiment of millions of runs answers as fast as one of a thousand; a key only older
# runs have is still reachable through the filter box.
KEYED_RUNS = 1000

_RUN_KEYS = """
    WITH newest AS (
        SELECT run_uuid FROM runs WHERE experiment_id = $1 AND lifecycle_stage = 'active'
        ORDER BY start_time DESC LIMIT $2
    )
    SELECT 'params', key FROM params WHERE run_uuid IN (SELECT run_uuid FROM newest)
    UNION
    SELECT 'metrics', key FROM latest_metrics WHERE run_uuid IN (SELECT run_uuid FROM newest)
    UNION
    SELECT 'tags', key FROM tags WHERE run_uuid IN (SELECT run_uuid FROM newest)
    ORDER BY 1, 2
"""


async def run_keys(conn: Connection, experiment_id: int, newest_runs: int) -> list[Any]:
    """(kind, key) for the params, metrics and tags of the experiment's newest active runs."""
    raw = await driver_connection(conn)
    return list(await raw.fetch(_RUN_KEYS, experiment_id, newest_runs))
