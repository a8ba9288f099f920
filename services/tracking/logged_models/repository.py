"""SQL for logged models, their params, tags and metrics. Functions never commit."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, select, update
from sqlalchemy.dialects.postgresql import insert

from services.core.db.arrays import one_of
from services.core.db.engine import Connection
from services.core.db.tables.tracking import (
    logged_model_metrics,
    logged_model_params,
    logged_model_tags,
    logged_models,
)


async def create(conn: Connection, values: dict[str, Any]) -> None:
    await conn.execute(insert(logged_models).values(**values))


async def get(conn: Connection, model_id: str) -> Row | None:
    return (
        await conn.execute(select(logged_models).where(logged_models.c.model_id == model_id))
    ).first()


async def update_fields(conn: Connection, model_id: str, **values: Any) -> None:
    await conn.execute(
        update(logged_models).where(logged_models.c.model_id == model_id).values(**values)
    )


async def upsert_keyed(
    conn: Connection, table: Any, model_id: str, items: Sequence[tuple[str, str]]
) -> None:
    if not items:
        return
    statement = insert(table).values(
        [{"model_id": model_id, "key": k, "value": v} for k, v in dict(items).items()]
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=["model_id", "key"], set_={"value": statement.excluded.value}
        )
    )


async def set_params(conn: Connection, model_id: str, items: Sequence[tuple[str, str]]) -> None:
    await upsert_keyed(conn, logged_model_params, model_id, items)


async def set_tags(conn: Connection, model_id: str, items: Sequence[tuple[str, str]]) -> None:
    await upsert_keyed(conn, logged_model_tags, model_id, items)


async def delete_tag(conn: Connection, model_id: str, key: str) -> bool:
    result = await conn.execute(
        logged_model_tags.delete().where(
            logged_model_tags.c.model_id == model_id, logged_model_tags.c.key == key
        )
    )
    return result.rowcount > 0


async def children(conn: Connection, model_ids: Sequence[str]) -> dict[str, dict[str, list]]:
    grouped: dict[str, dict[str, list]] = defaultdict(
        lambda: {"params": [], "tags": [], "metrics": []}
    )
    if not model_ids:
        return grouped
    for table, field in ((logged_model_params, "params"), (logged_model_tags, "tags")):
        for row in await conn.execute(
            select(table).where(one_of(table.c.model_id, model_ids)).order_by(table.c.key)
        ):
            grouped[row.model_id][field].append(row)
    m = logged_model_metrics.c
    for row in await conn.execute(
        select(logged_model_metrics)
        .where(one_of(m.model_id, model_ids))
        .order_by(m.key, m.step, m.timestamp)
    ):
        grouped[row.model_id]["metrics"].append(row)
    return grouped


async def search(
    conn: Connection,
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[ColumnElement[Any]],
    offset: int,
    limit: int,
) -> list[Row]:
    statement = select(logged_models).where(*where).order_by(*order_by).offset(offset).limit(limit)
    return list(await conn.execute(statement))
