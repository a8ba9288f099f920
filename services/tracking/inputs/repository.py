"""SQL for datasets logged as run inputs, and the run <-> logged model links."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.core.clock import new_hex_id
from services.core.db.arrays import one_of
from services.core.db.engine import Connection
from services.core.db.tables.tracking import (
    datasets,
    run_dataset_inputs,
    run_model_inputs,
    run_model_outputs,
)


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


async def load_for_runs(conn: Connection, run_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per run: {"inputs": {...}, "outputs": {...}} in MLflow's RunInputs/RunOutputs shape."""
    result: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"inputs": {"dataset_inputs": [], "model_inputs": []}, "outputs": {}}
    )
    if not run_ids:
        return result
    d, i = datasets.c, run_dataset_inputs.c
    rows = await conn.execute(
        select(i.run_uuid, i.tags, d.name, d.digest, d.source_type, d.source, d.schema, d.profile)
        .join(datasets, d.dataset_uuid == i.dataset_uuid)
        .where(one_of(i.run_uuid, run_ids))
        .order_by(i.run_uuid, d.name, d.digest)
    )
    for row in rows:
        dataset = {k: getattr(row, k) for k in ("name", "digest", "source_type", "source")}
        for optional in ("schema", "profile"):
            if getattr(row, optional) is not None:
                dataset[optional] = getattr(row, optional)
        tags = row.tags if isinstance(row.tags, list) else orjson.loads(row.tags)
        result[row.run_uuid]["inputs"]["dataset_inputs"].append({"tags": tags, "dataset": dataset})
    for row in await conn.execute(
        select(run_model_inputs).where(one_of(run_model_inputs.c.run_uuid, run_ids))
    ):
        result[row.run_uuid]["inputs"]["model_inputs"].append({"model_id": row.model_id})
    for row in await conn.execute(
        select(run_model_outputs).where(one_of(run_model_outputs.c.run_uuid, run_ids))
    ):
        outputs = result[row.run_uuid]["outputs"].setdefault("model_outputs", [])
        outputs.append({"model_id": row.model_id, "step": row.step})
    return result
