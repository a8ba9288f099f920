"""SQL of the summaries: grouped aggregates over the runs' metric points and over runs."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from services.core.db.arrays import one_of
from services.core.db.engine import Connection
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
