"""SQL for registered models, their tags and aliases. Functions never commit."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, and_, delete, select, update
from sqlalchemy.dialects.postgresql import insert

from services.core.db.arrays import one_of
from services.core.db.engine import Connection
from services.core.db.tables.registry import (
    registered_model_aliases,
    registered_model_tags,
    registered_models,
)

rm = registered_models.c


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


async def search_models(
    conn: Connection, where: Sequence[Any], order: Sequence[Any], offset: int, limit: int
) -> list[Row]:
    statement = select(registered_models).where(*where).order_by(*order)
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
