"""Writes both registry resources make the same way: tag upserts and keyed deletes.

Functions never commit."""

from typing import Any

from sqlalchemy import ColumnElement, delete
from sqlalchemy.dialects.postgresql import insert

from services.core.db.engine import Connection


async def upsert_tag(conn: Connection, table: Any, keys: dict[str, Any], value: str) -> None:
    """`keys` is the tag's whole primary key, e.g. {"model_id": 1, "version": 2, "key": "k"}."""
    statement = insert(table).values(**keys, value=value)
    await conn.execute(
        statement.on_conflict_do_update(index_elements=list(keys), set_={"value": value})
    )


async def delete_rows(conn: Connection, table: Any, *conditions: ColumnElement[bool]) -> bool:
    return (await conn.execute(delete(table).where(*conditions))).rowcount > 0
