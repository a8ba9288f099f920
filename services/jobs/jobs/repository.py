"""SQL of the jobs table, and of the run a job is (see docs/decisions/0009): the run's status
and tags change in the same transaction as the job's state. Functions never commit."""

from typing import Any

from sqlalchemy import Row, case, select, update
from sqlalchemy.dialects.postgresql import insert

from services.core.db import leasing
from services.core.db.engine import Connection
from services.core.db.tables.jobs import jobs
from services.core.db.tables.tracking import runs, tags

j = jobs.c


async def get(conn: Connection, run_id: str, *, lock: bool = False) -> Row | None:
    statement = select(jobs).where(j.run_uuid == run_id)
    if lock:
        statement = statement.with_for_update()
    return (await conn.execute(statement)).first()


async def run_of(conn: Connection, run_id: str, *, lock: bool = False) -> Row | None:
    statement = select(
        runs.c.run_uuid,
        runs.c.experiment_id,
        runs.c.status,
        runs.c.lifecycle_stage,
        runs.c.artifact_uri,
    ).where(runs.c.run_uuid == run_id)
    if lock:
        statement = statement.with_for_update()
    return (await conn.execute(statement)).first()


async def insert_job(conn: Connection, values: dict[str, Any]) -> bool:
    """False if the run already has a job (a concurrent submit of the same run won)."""
    result = await conn.execute(
        insert(jobs).values(**values).on_conflict_do_nothing().returning(j.run_uuid)
    )
    return result.first() is not None


async def page(conn: Connection, experiment_id: str, offset: int, limit: int) -> list[Row]:
    statement = (
        select(jobs)
        .where(j.experiment_id == int(experiment_id))
        .order_by(j.created_at.desc(), j.run_uuid)
        .offset(offset)
        .limit(limit)
    )
    return list(await conn.execute(statement))


async def update_job(conn: Connection, run_id: str, **values: Any) -> None:
    await conn.execute(update(jobs).where(j.run_uuid == run_id).values(**values))


async def set_run_status(conn: Connection, run_id: str, status: str, now: int) -> None:
    """MLflow's update-run semantics: an end time once the run is terminated."""
    values: dict[str, Any] = {"status": status}
    if status in ("FINISHED", "FAILED", "KILLED"):
        values["end_time"] = now
    await conn.execute(update(runs).where(runs.c.run_uuid == run_id).values(**values))


async def set_run_tags(conn: Connection, run_id: str, values: dict[str, str | None]) -> None:
    """Upsert the tags with a value, delete those given None."""
    present = {key: value for key, value in values.items() if value is not None}
    absent = [key for key, value in values.items() if value is None]
    if present:
        statement = insert(tags).values(
            [{"run_uuid": run_id, "key": key, "value": value} for key, value in present.items()]
        )
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=["run_uuid", "key"], set_={"value": statement.excluded.value}
            )
        )
    if absent:
        await conn.execute(tags.delete().where(tags.c.run_uuid == run_id, tags.c.key.in_(absent)))


async def claim_due(
    conn: Connection, namespaces: list[str], now: int, lease_ms: int, batch: int
) -> list[Row]:
    """Due, unfinished jobs of these namespaces (the ones this process's queues name) leased
    to this reconciler (SKIP LOCKED: replicas never take the same job; the lease hands it
    over if this one dies holding it)."""
    statement = leasing.claim(
        jobs,
        j.lease_until,
        now=now,
        until=now + lease_ms,
        limit=batch,
        where=[~j.finalized, j.next_check_at <= now, j.namespace.in_(namespaces)],
        order_by=[j.next_check_at],
    ).returning(*jobs.c)
    return list(await conn.execute(statement))


async def release(conn: Connection, run_id: str, generation: int, later: int, now: int) -> None:
    """End this reconciler's hold: looked at again at `later`, or at once when a watch event
    arrived during the pass (the generation moved)."""
    await conn.execute(
        update(jobs)
        .where(j.run_uuid == run_id)
        .values(
            lease_until=None, next_check_at=case((j.generation == generation, later), else_=now)
        )
    )


async def mark_due(conn: Connection, run_ids: list[str], now: int) -> None:
    """A watch saw something of these jobs: look at them now."""
    await conn.execute(
        update(jobs)
        .where(j.run_uuid.in_(run_ids), ~j.finalized)
        .values(next_check_at=now, generation=j.generation + 1)
    )
