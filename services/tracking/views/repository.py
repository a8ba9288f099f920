"""SQL of saved views. Functions never commit."""

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from services.core.db.engine import Connection
from services.core.db.tables.tracking import experiment_views

v = experiment_views.c


async def list_for(conn: Connection, experiment_id: int) -> list[Any]:
    statement = (
        select(v.name, v.state, v.created_by, v.updated_at)
        .where(v.experiment_id == experiment_id)
        .order_by(v.name)
    )
    return list((await conn.execute(statement)).all())


async def upsert(
    conn: Connection, experiment_id: int, name: str, state: str, actor: str, at: int
) -> None:
    """A view saved under a taken name replaces its state; its creator stays."""
    statement = insert(experiment_views).values(
        experiment_id=experiment_id,
        name=name,
        state=state,
        created_by=actor,
        created_at=at,
        updated_at=at,
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[v.experiment_id, v.name],
            set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at},
        )
    )


async def remove(conn: Connection, experiment_id: int, name: str) -> bool:
    statement = delete(experiment_views).where(v.experiment_id == experiment_id, v.name == name)
    return (await conn.execute(statement)).rowcount > 0
