"""SQL for experiments and their tags. Functions take a connection and never commit."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, select, update
from sqlalchemy.dialects.postgresql import insert

from services.core.artifact_uris import experiment_location
from services.core.db.arrays import one_of
from services.core.db.engine import Connection
from services.core.db.tables.tracking import experiment_tags, experiments


async def create(
    conn: Connection, name: str, artifact_location: str | None, now: int
) -> int | None:
    """Insert; None when the name is taken (active or deleted)."""
    statement = (
        insert(experiments)
        .values(
            name=name,
            artifact_location=artifact_location or "",
            lifecycle_stage="active",
            creation_time=now,
            last_update_time=now,
        )
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(experiments.c.experiment_id)
    )
    experiment_id = (await conn.execute(statement)).scalar_one_or_none()
    if experiment_id is not None and not artifact_location:
        await conn.execute(
            update(experiments)
            .where(experiments.c.experiment_id == experiment_id)
            .values(artifact_location=experiment_location(experiment_id))
        )
    return experiment_id


async def get(conn: Connection, experiment_id: int, *, lock: bool = False) -> Row | None:
    statement = select(experiments).where(experiments.c.experiment_id == experiment_id)
    if lock:
        statement = statement.with_for_update()
    return (await conn.execute(statement)).first()


async def get_by_name(conn: Connection, name: str) -> Row | None:
    return (await conn.execute(select(experiments).where(experiments.c.name == name))).first()


async def tags_for(conn: Connection, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    if not ids:
        return {}
    rows = await conn.execute(
        select(experiment_tags.c.experiment_id, experiment_tags.c.key, experiment_tags.c.value)
        .where(one_of(experiment_tags.c.experiment_id, ids))
        .order_by(experiment_tags.c.key)
    )
    grouped: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for experiment_id, key, value in rows:
        grouped[experiment_id].append((key, value))
    return grouped


async def set_tags(conn: Connection, experiment_id: int, tags: Sequence[tuple[str, str]]) -> None:
    if not tags:
        return
    statement = insert(experiment_tags).values(
        [{"experiment_id": experiment_id, "key": k, "value": v} for k, v in tags]
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=["experiment_id", "key"], set_={"value": statement.excluded.value}
        )
    )


async def delete_tag(conn: Connection, experiment_id: int, key: str) -> bool:
    result = await conn.execute(
        experiment_tags.delete().where(
            experiment_tags.c.experiment_id == experiment_id, experiment_tags.c.key == key
        )
    )
    return result.rowcount > 0


async def update_fields(conn: Connection, experiment_id: int, **values: Any) -> None:
    await conn.execute(
        update(experiments).where(experiments.c.experiment_id == experiment_id).values(**values)
    )


async def search(
    conn: Connection,
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[ColumnElement[Any]],
    offset: int,
    limit: int,
) -> list[Row]:
    statement = select(experiments).where(*where).order_by(*order_by).offset(offset).limit(limit)
    return list(await conn.execute(statement))
