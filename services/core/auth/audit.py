"""The audit log: who did what, when. Grants, revokes, stage transitions, alias changes and
deletions are recorded in the same transaction as the change itself: the guard prepares the
entry from the parsed request, and `Database.transaction` writes it just before it commits, so a
change is never committed without its entry (nor an entry without its change)."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.core.clock import now_ms
from services.core.db import use_cases
from services.core.db.engine import Connection
from services.core.db.tables.auth import audit_log

# Fields never copied into an entry's details.
_SECRET_FIELDS = frozenset({"secret", "token", "password", "client_secret"})


@dataclass
class Entry:
    actor: str
    action: str
    resource_type: str | None
    resource_id: str | None
    details: dict[str, Any] = field(default_factory=dict)
    written: bool = False
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    # A transaction rider (services.core.db.engine): written just before the request's
    # transaction commits, marked once it has.
    async def write(self, conn: Connection) -> None:
        if not self.written:
            await record(
                conn,
                self.actor,
                self.action,
                self.resource_type,
                self.resource_id,
                self.details,
                entry_key=self.key,
            )

    def committed(self) -> None:
        self.written = True


def details_of(message: Any, path_params: dict[str, Any]) -> dict[str, Any]:
    """What the request asked for, as the endpoint executes it: the parsed message and the
    path's parameters, secrets left out."""
    details = message.model_dump(mode="json", by_alias=True) if message is not None else {}
    details.update(path_params)
    return {key: value for key, value in details.items() if key not in _SECRET_FIELDS}


async def record(
    conn: Connection,
    actor: str,
    action: str,
    resource_type: str | None,
    resource_id: str | None,
    details: dict[str, Any],
    *,
    entry_key: str | None = None,
) -> None:
    statement = insert(audit_log).values(
        at=now_ms(),
        actor=actor,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        details=details,
        entry_key=entry_key,
    )
    await conn.execute(statement.on_conflict_do_nothing(index_elements=["entry_key"]))


@use_cases.transaction
async def recent(conn: Connection, limit: int, action: str | None = None) -> list[dict[str, Any]]:
    statement = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if action:
        statement = statement.where(audit_log.c.action == action)
    # str(): column keys are quoted_name, a str subclass orjson refuses as a dict key
    return [{str(k): v for k, v in row._mapping.items()} for row in await conn.execute(statement)]
