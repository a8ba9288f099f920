"""SQL for model versions, their tags and the aliases pointing at them. Functions never commit."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.dialects.postgresql import insert

from services.core.db.arrays import one_of
from services.core.db.engine import Connection
from services.core.db.tables.registry import (
    model_version_tags,
    model_versions,
    registered_model_aliases,
    registered_models,
)

rm, mv = registered_models.c, model_versions.c
VERSION_COLUMNS = (rm.name, *model_versions.c)


async def insert_version(conn: Connection, values: dict[str, Any]) -> None:
    await conn.execute(insert(model_versions).values(**values))


def versions_query() -> Any:
    return select(*VERSION_COLUMNS).join(registered_models, rm.id == mv.model_id)


async def get_version(conn: Connection, model_id: int, version: int) -> Row | None:
    statement = versions_query().where(mv.model_id == model_id, mv.version == version)
    return (await conn.execute(statement)).first()


async def version_with_creation_key(conn: Connection, model_id: int, key: str) -> int | None:
    statement = select(mv.version).where(mv.creation_key == key, mv.model_id == model_id)
    return (await conn.execute(statement)).scalar_one_or_none()


async def update_version(conn: Connection, model_id: int, version: int, **values: Any) -> None:
    await conn.execute(
        update(model_versions)
        .where(mv.model_id == model_id, mv.version == version)
        .values(**values)
    )


async def archive_others_in_stage(
    conn: Connection, model_id: int, version: int, stage: str, now: int
) -> list[int]:
    result = await conn.execute(
        update(model_versions)
        .where(mv.model_id == model_id, mv.version != version, mv.current_stage == stage)
        .values(current_stage="Archived", last_updated_timestamp=now)
        .returning(mv.version)
    )
    return sorted(result.scalars())


async def version_children(
    conn: Connection, keys: Sequence[tuple[int, int]]
) -> tuple[dict[tuple[int, int], list], dict[tuple[int, int], list[str]]]:
    tags: dict[tuple[int, int], list] = defaultdict(list)
    aliases: dict[tuple[int, int], list[str]] = defaultdict(list)
    if keys:
        model_ids = sorted({k[0] for k in keys})
        wanted = set(keys)
        t = model_version_tags.c
        for row in await conn.execute(
            select(model_version_tags).where(one_of(t.model_id, model_ids)).order_by(t.key)
        ):
            if (row.model_id, row.version) in wanted:
                tags[(row.model_id, row.version)].append(row)
        a = registered_model_aliases.c
        for row in await conn.execute(
            select(registered_model_aliases).where(one_of(a.model_id, model_ids)).order_by(a.alias)
        ):
            if (row.model_id, row.version) in wanted:
                aliases[(row.model_id, row.version)].append(row.alias)
    return tags, aliases


async def latest_per_stage(conn: Connection, model_ids: Sequence[int]) -> list[Row]:
    """The highest version in each stage of each model."""
    if not model_ids:
        return []
    ranked = (
        select(
            *VERSION_COLUMNS,
            func.row_number()
            .over(partition_by=(mv.model_id, mv.current_stage), order_by=mv.version.desc())
            .label("rank"),
        )
        .join(registered_models, rm.id == mv.model_id)
        .where(one_of(mv.model_id, model_ids))
        .subquery()
    )
    statement = select(ranked).where(ranked.c.rank == 1).order_by(ranked.c.version)
    return list(await conn.execute(statement))


async def search_versions(
    conn: Connection, where: Sequence[Any], order: Sequence[Any], offset: int, limit: int
) -> list[Row]:
    statement = versions_query().where(*where).order_by(*order)
    return list(await conn.execute(statement.offset(offset).limit(limit)))
