"""SQL for datasets logged as run inputs, and the run <-> logged model links."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.core.db.engine import Connection
from services.core.db.tables.tracking import (
    datasets,
    run_dataset_inputs,
    run_model_inputs,
    run_model_outputs,
)
from services.core.ids import new_hex_id


async def upsert_dataset(conn: Connection, experiment_id: int, dataset: Any) -> str:
    """Return the id of the (experiment, name, digest) dataset, creating it if new."""
    statement = (
        insert(datasets)
        .values(
            dataset_uuid=new_hex_id(),
            experiment_id=experiment_id,
            name=dataset.name,
            digest=dataset.digest,
            source_type=dataset.source_type,
            source=dataset.source,
            schema=dataset.schema_,
            profile=dataset.profile,
        )
        .on_conflict_do_nothing(index_elements=["experiment_id", "name", "digest"])
        .returning(datasets.c.dataset_uuid)
    )
    dataset_id = (await conn.execute(statement)).scalar_one_or_none()
    if dataset_id is None:
        dataset_id = (
            await conn.execute(
                select(datasets.c.dataset_uuid).where(
                    datasets.c.experiment_id == experiment_id,
                    datasets.c.name == dataset.name,
                    datasets.c.digest == dataset.digest,
                )
            )
        ).scalar_one()
    return dataset_id


async def link_dataset(
    conn: Connection, run_id: str, dataset_id: str, tags: list[dict[str, str]]
) -> None:
    await conn.execute(
        insert(run_dataset_inputs)
        .values(run_uuid=run_id, dataset_uuid=dataset_id, tags=tags)
        .on_conflict_do_nothing()
    )


async def link_model_inputs(conn: Connection, run_id: str, model_ids: Sequence[str]) -> None:
    if model_ids:
        await conn.execute(
            insert(run_model_inputs)
            .values([{"run_uuid": run_id, "model_id": m} for m in dict.fromkeys(model_ids)])
            .on_conflict_do_nothing()
        )


async def link_model_outputs(
    conn: Connection, run_id: str, outputs: Sequence[tuple[str, int]]
) -> None:
    if outputs:
        statement = insert(run_model_outputs).values(
            [{"run_uuid": run_id, "model_id": m, "step": s} for m, s in dict(outputs).items()]
        )
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=["run_uuid", "model_id"], set_={"step": statement.excluded.step}
            )
        )
