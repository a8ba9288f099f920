"""SQL for registered models, versions, tags and aliases. Functions never commit."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from services.core.db.arrays import one_of
from services.core.db.engine import Connection
from services.core.db.tables.registry import (
    model_version_tags,
    model_versions,
    registered_model_aliases,
    registered_model_tags,
    registered_models,
)

rm, mv = registered_models.c, model_versions.c
VERSION_COLUMNS = (rm.name, *model_versions.c)


async def create_model(conn: Connection, values: dict[str, Any]) -> int | None:
    statement = (
        insert(registered_models)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(rm.id)
    )
    return (await conn.execute(statement)).scalar_one_or_none()


async def get_model(conn: Connection, name: str, *, lock: bool = False) -> Row | None:
    statement = select(registered_models).where(rm.name == name)
    if lock:
        statement = statement.with_for_update()
    return (await conn.execute(statement)).first()


async def update_model(conn: Connection, model_id: int, **values: Any) -> None:
    await conn.execute(update(registered_models).where(rm.id == model_id).values(**values))


async def delete_model(conn: Connection, model_id: int) -> None:
    await conn.execute(delete(registered_models).where(rm.id == model_id))


async def allocate_version(conn: Connection, model_id: int) -> int:
    """The next version number; the model row's lock serialises concurrent registrations."""
    statement = (
        update(registered_models)
        .where(rm.id == model_id)
        .values(next_version=rm.next_version + 1)
        .returning(rm.next_version - 1)
    )
    return (await conn.execute(statement)).scalar_one()


async def upsert_tag(conn: Connection, table: Any, keys: dict[str, Any], value: str) -> None:
    """`keys` is the tag's whole primary key, e.g. {"model_id": 1, "version": 2, "key": "k"}."""
    statement = insert(table).values(**keys, value=value)
    await conn.execute(
        statement.on_conflict_do_update(index_elements=list(keys), set_={"value": value})
    )


async def delete_rows(conn: Connection, table: Any, *conditions: ColumnElement[bool]) -> bool:
    return (await conn.execute(delete(table).where(*conditions))).rowcount > 0


async def model_children(
    conn: Connection, model_ids: Sequence[int]
) -> tuple[dict[int, list], dict[int, list]]:
    tags: dict[int, list] = defaultdict(list)
    aliases: dict[int, list] = defaultdict(list)
    if model_ids:
        for row in await conn.execute(
            select(registered_model_tags)
            .where(one_of(registered_model_tags.c.model_id, model_ids))
            .order_by(registered_model_tags.c.key)
        ):
            tags[row.model_id].append(row)
        for row in await conn.execute(
            select(registered_model_aliases)
            .where(one_of(registered_model_aliases.c.model_id, model_ids))
            .order_by(registered_model_aliases.c.alias)
        ):
            aliases[row.model_id].append(row)
    return tags, aliases


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


async def search_models(
    conn: Connection, where: Sequence[Any], order: Sequence[Any], offset: int, limit: int
) -> list[Row]:
    statement = select(registered_models).where(*where).order_by(*order)
    return list(await conn.execute(statement.offset(offset).limit(limit)))


async def search_versions(
    conn: Connection, where: Sequence[Any], order: Sequence[Any], offset: int, limit: int
) -> list[Row]:
    statement = versions_query().where(*where).order_by(*order)
    return list(await conn.execute(statement.offset(offset).limit(limit)))


async def alias_version(conn: Connection, model_id: int, alias: str) -> int | None:
    a = registered_model_aliases.c
    statement = select(a.version).where(and_(a.model_id == model_id, a.alias == alias))
    return (await conn.execute(statement)).scalar_one_or_none()


async def set_alias(conn: Connection, model_id: int, alias: str, version: int) -> None:
    statement = insert(registered_model_aliases).values(
        model_id=model_id, alias=alias, version=version
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=["model_id", "alias"], set_={"version": version}
        )
    )
