"""A run as Grimoire stores it, read back as the importer's dataclass, so a run id that is
already here is compared by content with the source's run: the same content is present,
different content is a conflict."""

import json
from dataclasses import fields, replace
from typing import cast

from sqlalchemy import Table, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.core.db.engine import driver_connection
from services.core.db.tables.registry import (
    model_version_tags,
    model_versions,
    registered_model_aliases,
    registered_model_tags,
    registered_models,
)
from services.core.db.tables.tracking import (
    datasets,
    params,
    run_dataset_inputs,
    run_model_inputs,
    run_model_outputs,
    runs,
    tags,
)
from services.importer.ledger import fingerprint_of
from services.importer.model import DatasetInput, ModelVersion, Point, RegisteredModel, Run

# A version's own columns: the dataclass's fields but its tags (their own table).
VERSION_COLUMNS = [f.name for f in fields(ModelVersion) if f.name != "tags"]


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


# The run's own columns: the dataclass's field names, but for the id.
RUN_COLUMNS = {
    "run_id": "run_uuid",
    "experiment_id": "experiment_id",
    "name": "name",
    "user_id": "user_id",
    "status": "status",
    "start_time": "start_time",
    "end_time": "end_time",
    "lifecycle_stage": "lifecycle_stage",
    "artifact_uri": "artifact_uri",
    "deleted_time": "deleted_time",
}


def run_row(run: Run, experiment_id: int, artifact_uri: str) -> dict[str, object]:
    """The `runs` row of a source's run, placed in Grimoire's experiment and store."""
    row = {column: getattr(run, name) for name, column in RUN_COLUMNS.items()}
    return {**row, "experiment_id": experiment_id, "artifact_uri": artifact_uri}


# sha256 of a run's rows as stored, computed by PostgreSQL (a run of 10,000 points is not
# carried to Python to be hashed): recorded when the run is imported, compared by a later
# import to tell a run changed here since from one left alone. Row literals keep NULLs and
# separators unambiguous; the latest values are derived, so not included.
_STORED_DIGEST = text(
    """
    SELECT encode(sha256(convert_to(concat_ws(chr(30),
        (SELECT row(r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time,
                    r.lifecycle_stage, r.deleted_time)::text FROM runs r WHERE r.run_uuid = :i),
        (SELECT string_agg(row(key, value)::text, chr(31) ORDER BY key)
         FROM params WHERE run_uuid = :i),
        (SELECT string_agg(row(key, value)::text, chr(31) ORDER BY key)
         FROM tags WHERE run_uuid = :i),
        (SELECT string_agg(row(key, step, timestamp, value)::text, chr(31)
                           ORDER BY key, step, timestamp, value)
         FROM metrics WHERE run_uuid = :i),
        (SELECT string_agg(row(dataset_uuid, tags)::text, chr(31) ORDER BY dataset_uuid)
         FROM run_dataset_inputs WHERE run_uuid = :i),
        (SELECT string_agg(model_id, chr(31) ORDER BY model_id)
         FROM run_model_inputs WHERE run_uuid = :i),
        (SELECT string_agg(row(model_id, step)::text, chr(31) ORDER BY model_id, step)
         FROM run_model_outputs WHERE run_uuid = :i)
    ), 'UTF8')), 'hex') AS digest
    WHERE EXISTS (SELECT 1 FROM runs WHERE run_uuid = :i)
    """
)


def differing_fields(run: Run, here: Run | None) -> list[str]:
    """The fields in which the run here differs from the source's (all when it is gone)."""
    if here is None:
        return ["everything (it was removed here since)"]
    ours, theirs = comparable(run), comparable(here)
    return [
        f.name
        for f in fields(Run)
        if fingerprint_of(getattr(ours, f.name)) != fingerprint_of(getattr(theirs, f.name))
    ]


async def stored_digest(conn: AsyncConnection, run_id: str) -> str | None:
    """None when the run is not here."""
    return (await conn.execute(_STORED_DIGEST, {"i": run_id})).scalar_one_or_none()


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
    own = {name: getattr(row, column) for name, column in RUN_COLUMNS.items()}
    return Run(
        **{**own, "experiment_id": str(row.experiment_id)},
        params=await pairs(conn, params, run_id),
        tags=await pairs(conn, tags, run_id),
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


async def pairs(
    conn: AsyncConnection, table: Table, owner: object, owner_column: str = "run_uuid"
) -> dict[str, str]:
    """Key-value rows (params, tags) of one owner, as a dict."""
    rows = await conn.execute(
        select(table.c.key, table.c.value).where(table.c[owner_column] == owner)
    )
    return {r.key: r.value for r in rows}


async def stored_registered_model(
    conn: AsyncConnection, name: str
) -> tuple[int, RegisteredModel] | None:
    """The registered model here by that name (its row id, and its content as the
    importer's dataclass, each version's source as stored), or None."""
    row = (
        await conn.execute(select(registered_models).where(registered_models.c.name == name))
    ).first()
    if row is None:
        return None
    aliases = await conn.execute(
        select(registered_model_aliases.c.alias, registered_model_aliases.c.version).where(
            registered_model_aliases.c.model_id == row.id
        )
    )
    version_tags: dict[int, dict[str, str]] = {}
    for tag in await conn.execute(
        select(model_version_tags).where(model_version_tags.c.model_id == row.id)
    ):
        version_tags.setdefault(tag.version, {})[tag.key] = tag.value
    versions = await conn.execute(
        select(model_versions)
        .where(model_versions.c.model_id == row.id)
        .order_by(model_versions.c.version)
    )
    model = RegisteredModel(
        name=row.name,
        description=row.description,
        creation_timestamp=row.creation_timestamp,
        last_updated_timestamp=row.last_updated_timestamp,
        tags=await pairs(conn, registered_model_tags, row.id, "model_id"),
        aliases={a.alias: a.version for a in aliases},
        versions=[
            ModelVersion(
                **{f: getattr(v, f) for f in VERSION_COLUMNS},
                tags=version_tags.get(v.version, {}),
            )
            for v in versions
        ],
        next_version=row.next_version,
    )
    return int(row.id), model
