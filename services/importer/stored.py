"""A run as Grimoire stores it, read back as the importer's dataclass, so a run id that is
already here is compared by content with the source's run: the same content is present,
different content is a conflict."""

import json
from dataclasses import replace
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.core.db.engine import driver_connection
from services.core.db.tables.tracking import (
    datasets,
    params,
    run_dataset_inputs,
    run_model_inputs,
    run_model_outputs,
    runs,
    tags,
)
from services.importer.model import DatasetInput, Point, Run


def comparable(run: Run) -> Run:
    """What must agree between a source's run and Grimoire's: everything but where it lives
    (the experiment id may be mapped, the artifact root is Grimoire's), in a fixed order,
    each metric point once (as Grimoire stores it)."""
    unique = {(p.key, p.timestamp, p.step, repr(p.value)): p for p in run.metrics}
    return replace(
        run,
        experiment_id="",
        artifact_uri="",
        metrics=sorted(unique.values(), key=lambda p: (p.key, p.timestamp, p.step, repr(p.value))),
        datasets=sorted(
            (replace(d, tags=tuple(sorted(d.tags))) for d in run.datasets),
            key=lambda d: (d.name, d.digest),
        ),
        model_inputs=sorted(set(run.model_inputs)),
        model_outputs=sorted(dict(run.model_outputs).items()),
    )


async def stored_run(conn: AsyncConnection, run_id: str) -> Run | None:
    row = (await conn.execute(select(runs).where(runs.c.run_uuid == run_id))).first()
    if row is None:
        return None
    raw = await driver_connection(conn)
    points = await raw.fetch(
        "SELECT key, value, timestamp, step FROM metrics WHERE run_uuid = $1", run_id
    )
    inputs = await conn.execute(
        select(datasets, run_dataset_inputs.c.tags.label("input_tags"))
        .join(run_dataset_inputs, run_dataset_inputs.c.dataset_uuid == datasets.c.dataset_uuid)
        .where(run_dataset_inputs.c.run_uuid == run_id)
    )
    model_inputs = await conn.execute(
        select(run_model_inputs.c.model_id).where(run_model_inputs.c.run_uuid == run_id)
    )
    model_outputs = await conn.execute(
        select(run_model_outputs.c.model_id, run_model_outputs.c.step).where(
            run_model_outputs.c.run_uuid == run_id
        )
    )
    return Run(
        run_id=row.run_uuid,
        experiment_id=str(row.experiment_id),
        name=row.name,
        user_id=row.user_id,
        status=row.status,
        start_time=row.start_time,
        end_time=row.end_time,
        lifecycle_stage=row.lifecycle_stage,
        artifact_uri=row.artifact_uri,
        deleted_time=row.deleted_time,
        params=await _pairs(conn, params, run_id),
        tags=await _pairs(conn, tags, run_id),
        metrics=[Point(p["key"], p["value"], p["timestamp"], p["step"]) for p in points],
        datasets=[
            DatasetInput(
                d.name,
                d.digest,
                d.source_type,
                d.source,
                d.schema,
                d.profile,
                tuple((t["key"], t["value"]) for t in _json(d.input_tags)),
            )
            for d in inputs
        ],
        model_inputs=[m.model_id for m in model_inputs],
        model_outputs=[(m.model_id, m.step) for m in model_outputs],
    )


def _json(value: object) -> list[dict[str, str]]:
    """JSONB arrives decoded; text (a driver without the codec) is parsed."""
    decoded = json.loads(value) if isinstance(value, str) else value
    return cast(list[dict[str, str]], decoded or [])


async def _pairs(conn: AsyncConnection, table: Table, run_id: str) -> dict[str, str]:
    rows = await conn.execute(select(table.c.key, table.c.value).where(table.c.run_uuid == run_id))
    return {r.key: r.value for r in rows}
