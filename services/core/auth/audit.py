"""The audit log: who did what, when. Grants, revokes, stage transitions, alias changes and
deletions are recorded by the guard once the call has succeeded."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.core.clock import now_ms
from services.core.db.engine import Connection
from services.core.db.tables.auth import audit_log


async def record(
    conn: Connection,
    actor: str,
    action: str,
    resource_type: str | None,
    resource_id: str | None,
    details: dict[str, Any],
) -> None:
    await conn.execute(
        insert(audit_log).values(
            at=now_ms(),
            actor=actor,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            details=details,
        )
    )


async def recent(conn: Connection, limit: int, action: str | None = None) -> list[dict]:
    statement = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if action:
        statement = statement.where(audit_log.c.action == action)
    # str(): column keys are quoted_name, a str subclass orjson refuses as a dict key
    return [{str(k): v for k, v in row._mapping.items()} for row in await conn.execute(statement)]
