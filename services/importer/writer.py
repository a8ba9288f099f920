"""Grimoire's tables written directly (core's table definitions), producing the rows the
tracking and registry services would have written had the client logged them: ids and
timestamps as given, metric points by COPY, the latest value per key by Grimoire's own rule
(highest step, then timestamp, then value, NaN above every number, as PostgreSQL orders
float8), artifact URIs in the proxied store under the target experiment."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.core.artifact_uris import logged_model_artifact_uri, run_artifact_uri
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
    experiment_tags,
    experiments,
    logged_model_metrics,
    logged_model_params,
    logged_model_tags,
    logged_models,
    params,
    run_dataset_inputs,
    run_model_inputs,
    run_model_outputs,
    runs,
    tags,
)
from services.core.ids import new_hex_id
from services.importer.model import Experiment, LoggedModel, PlacedVersion, RegisteredModel, Run
from services.importer.stored import VERSION_COLUMNS, run_row

METRIC_COLUMNS = ["run_uuid", "key", "step", "timestamp", "value"]

_LATEST = """
    INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value)
    SELECT DISTINCT ON (key) run_uuid, key, step, timestamp, value FROM metrics
    WHERE run_uuid = $1 ORDER BY key, step DESC, timestamp DESC, value DESC
"""
# Experiments imported with their own ids leave the identity behind them; the next
# experiment created through the API must get a free one.
_ADVANCE_EXPERIMENT_IDS = text(
    "SELECT setval(pg_get_serial_sequence('experiments', 'experiment_id'), "
    "GREATEST((SELECT max(experiment_id) FROM experiments), 1))"
)


async def experiment_by_id(conn: AsyncConnection, experiment_id: int) -> Any:
    return (
        await conn.execute(select(experiments).where(experiments.c.experiment_id == experiment_id))
    ).first()


async def experiment_by_name(conn: AsyncConnection, name: str) -> Any:
    return (await conn.execute(select(experiments).where(experiments.c.name == name))).first()


async def insert_experiment(
    conn: AsyncConnection, experiment: Experiment, experiment_id: int | None, extra_tags: dict
) -> int:
    """With `experiment_id` None the identity chooses one. The location is Grimoire's default
    for the id (`mlflow-artifacts:/<id>`), set once the id is known."""
    values = {
        "name": experiment.name,
        "artifact_location": "",
        "lifecycle_stage": experiment.lifecycle_stage,
        "creation_time": experiment.creation_time,
        "last_update_time": experiment.last_update_time,
    }
    if experiment_id is not None:
        values["experiment_id"] = experiment_id
    new_id = (
        await conn.execute(
            experiments.insert().values(values).returning(experiments.c.experiment_id)
        )
    ).scalar_one()
    await conn.execute(
        experiments.update()
        .where(experiments.c.experiment_id == new_id)
        .values(artifact_location=f"mlflow-artifacts:/{new_id}")
    )
    await conn.execute(_ADVANCE_EXPERIMENT_IDS)
    await add_experiment_tags(conn, new_id, {**experiment.tags, **extra_tags})
    return int(new_id)


async def add_experiment_tags(conn: AsyncConnection, experiment_id: int, values: dict) -> None:
    if values:
        await conn.execute(
            insert(experiment_tags)
            .values(
                [{"experiment_id": experiment_id, "key": k, "value": v} for k, v in values.items()]
            )
            .on_conflict_do_nothing()
        )


async def run_exists(conn: AsyncConnection, run_id: str) -> bool:
    found = await conn.execute(select(runs.c.run_uuid).where(runs.c.run_uuid == run_id))
    return found.first() is not None


async def logged_model_exists(conn: AsyncConnection, model_id: str) -> bool:
    found = await conn.execute(
        select(logged_models.c.model_id).where(logged_models.c.model_id == model_id)
    )
    return found.first() is not None


def unique_points(run: Run) -> list[tuple[str, str, int, int, float]]:
    """MLflow's file store keeps a point logged twice twice; Grimoire stores a point once
    (its primary key is MLflow's identity of a point). NaN is compared by its spelling."""
    unique: dict[tuple[str, int, int, str], tuple[str, str, int, int, float]] = {}
    for p in run.metrics:
        unique.setdefault(
            (p.key, p.timestamp, p.step, repr(p.value)),
            (run.run_id, p.key, p.step, p.timestamp, p.value),
        )
    return list(unique.values())


async def _insert_many(conn: AsyncConnection, table: Any, rows: Sequence[dict]) -> None:
    """Multi-row inserts (SQLAlchemy batches them under the driver's parameter limit)."""
    if rows:
        await conn.execute(insert(table), list(rows))


async def _insert_pairs(
    conn: AsyncConnection, table: Any, owner_column: str, owner: object, values: dict[str, str]
) -> None:
    """Key-value rows (params, tags) of one owner."""
    await _insert_many(
        conn, table, [{owner_column: owner, "key": k, "value": v} for k, v in values.items()]
    )


async def write_run(conn: AsyncConnection, run: Run, experiment_id: int, location: str) -> int:
    """Every row of one run; returns the number of metric points stored."""
    await conn.execute(
        runs.insert().values(run_row(run, experiment_id, run_artifact_uri(location, run.run_id)))
    )
    await _insert_pairs(conn, params, "run_uuid", run.run_id, run.params)
    await _insert_pairs(conn, tags, "run_uuid", run.run_id, run.tags)
    points = unique_points(run)
    if points:
        raw = await driver_connection(conn)
        await raw.copy_records_to_table("metrics", records=points, columns=METRIC_COLUMNS)
        await raw.execute(_LATEST, run.run_id)
    for dataset in run.datasets:
        dataset_id = await _dataset_id(conn, experiment_id, dataset)
        await conn.execute(
            insert(run_dataset_inputs)
            .values(
                run_uuid=run.run_id,
                dataset_uuid=dataset_id,
                tags=[{"key": k, "value": v} for k, v in dataset.tags],
            )
            .on_conflict_do_nothing()
        )
    await _insert_many(
        conn,
        run_model_inputs,
        [{"run_uuid": run.run_id, "model_id": m} for m in dict.fromkeys(run.model_inputs)],
    )
    await _insert_many(
        conn,
        run_model_outputs,
        [
            {"run_uuid": run.run_id, "model_id": m, "step": s}
            for m, s in dict(run.model_outputs).items()
        ],
    )
    return len(points)


async def _dataset_id(conn: AsyncConnection, experiment_id: int, dataset: Any) -> str:
    inserted = await conn.execute(
        insert(datasets)
        .values(
            dataset_uuid=new_hex_id(),
            experiment_id=experiment_id,
            name=dataset.name,
            digest=dataset.digest,
            source_type=dataset.source_type,
            source=dataset.source,
            schema=dataset.schema,
            profile=dataset.profile,
        )
        .on_conflict_do_nothing(index_elements=["experiment_id", "name", "digest"])
        .returning(datasets.c.dataset_uuid)
    )
    found = inserted.scalar_one_or_none()
    if found is not None:
        return found
    existing = await conn.execute(
        select(datasets.c.dataset_uuid).where(
            datasets.c.experiment_id == experiment_id,
            datasets.c.name == dataset.name,
            datasets.c.digest == dataset.digest,
        )
    )
    return existing.scalar_one()


async def write_logged_model(
    conn: AsyncConnection, model: LoggedModel, experiment_id: int, location: str
) -> None:
    await conn.execute(
        logged_models.insert().values(
            model_id=model.model_id,
            experiment_id=experiment_id,
            name=model.name,
            artifact_location=logged_model_artifact_uri(location, model.model_id),
            creation_timestamp_ms=model.creation_timestamp_ms,
            last_updated_timestamp_ms=model.last_updated_timestamp_ms,
            status=model.status,
            lifecycle_stage=model.lifecycle_stage,
            model_type=model.model_type,
            source_run_id=model.source_run_id,
            status_message=model.status_message,
        )
    )
    mid = model.model_id
    await _insert_pairs(conn, logged_model_params, "model_id", mid, model.params)
    await _insert_pairs(conn, logged_model_tags, "model_id", mid, model.tags)
    await _insert_many(
        conn,
        logged_model_metrics,
        [
            {
                "model_id": mid,
                "key": m.key,
                "value": m.value,
                "timestamp": m.timestamp,
                "step": m.step,
                "run_id": m.run_id,
                "dataset_name": m.dataset_name,
                "dataset_digest": m.dataset_digest,
            }
            for m in model.metrics
        ],
    )


async def write_registered_model(
    conn: AsyncConnection, model: RegisteredModel, versions: Sequence[PlacedVersion]
) -> int:
    """The model with its tags, versions and aliases; returns its row id."""
    model_id = (
        await conn.execute(
            registered_models.insert()
            .values(
                name=model.name,
                description=model.description,
                creation_timestamp=model.creation_timestamp,
                last_updated_timestamp=model.last_updated_timestamp,
            )
            .returning(registered_models.c.id)
        )
    ).scalar_one()
    await _insert_pairs(conn, registered_model_tags, "model_id", model_id, model.tags)
    await add_versions(conn, int(model_id), model, versions)
    await add_aliases(conn, int(model_id), model.aliases)
    return int(model_id)


async def add_versions(
    conn: AsyncConnection, model_id: int, model: RegisteredModel, versions: Sequence[PlacedVersion]
) -> None:
    """`versions` are (version, source, storage location) with sources already rewritten.
    Version numbers are kept; the next one registered continues where the source's would
    have (after a deleted last version too), at least after the highest here."""
    await _insert_many(
        conn,
        model_versions,
        [
            {
                **{column: getattr(v, column) for column in VERSION_COLUMNS},
                "model_id": model_id,
                "source": source,
                "storage_location": storage,
                "logged_model_id": _logged_model_of(source),
            }
            for v, source, storage in versions
        ],
    )
    await _insert_many(
        conn,
        model_version_tags,
        [
            {"model_id": model_id, "version": v.version, "key": k, "value": value}
            for v, _, _ in versions
            for k, value in v.tags.items()
        ],
    )
    highest = max((v.version for v, _, _ in versions), default=0)
    await conn.execute(
        registered_models.update()
        .where(registered_models.c.id == model_id)
        .values(
            next_version=func.greatest(
                registered_models.c.next_version, model.next_version, highest + 1
            )
        )
    )


async def add_aliases(conn: AsyncConnection, model_id: int, aliases: dict[str, int]) -> None:
    """Aliases not here yet (one here already, to whichever version, is left as it is)."""
    if aliases:
        await conn.execute(
            insert(registered_model_aliases)
            .values([{"model_id": model_id, "alias": a, "version": n} for a, n in aliases.items()])
            .on_conflict_do_nothing()
        )


def _logged_model_of(source: str) -> str | None:
    prefix = "models:/m-"
    if source.startswith(prefix) and "/" not in source[len("models:/") :]:
        return source[len("models:/") :]
    return None
