"""The audit log: who did what, when. Grants, revokes, stage transitions, alias changes and
deletions are recorded in the same transaction as the change itself: the guard prepares the
entry from the parsed request, and `Database.transaction` writes it just before it commits, so a
change is never committed without its entry (nor an entry without its change)."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.dialects.postgresql import insert

from services.core.clock import now_ms
from services.core.db import use_cases
from services.core.db.engine import Connection
from services.core.db.tables.auth import audit_log

# Fields never copied into an entry's details.
_SECRET_FIELDS = frozenset({"secret", "token", "password", "client_secret"})
# Request fields that name the object an entry is about, as the audit page's "object" filter
# matches them.
_OBJECT_FIELDS = ("name", "run_id", "experiment_id", "webhook_id", "token_id")


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


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to list: every set field must match (the audit page's filters)."""

    action: str | None = None
    actor: str | None = None
    resource_type: str | None = None
    # An object as people name it: the entry's resource id, or the name, run or experiment
    # its request named (a registered model's grants and entries are kept by its row id).
    object: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None


def _conditions(wanted: AuditFilter) -> list[ColumnElement[bool]]:
    c = audit_log.c
    conditions: list[ColumnElement[bool]] = []
    if wanted.action:
        conditions.append(c.action == wanted.action)
    if wanted.actor:
        conditions.append(c.actor == wanted.actor)
    if wanted.resource_type:
        conditions.append(c.resource_type == wanted.resource_type)
    if wanted.object:
        conditions.append(
            or_(
                c.resource_id == wanted.object,
                *(c.details[key].astext == wanted.object for key in _OBJECT_FIELDS),
            )
        )
    if wanted.since_ms is not None:
        conditions.append(c.at >= wanted.since_ms)
    if wanted.until_ms is not None:
        conditions.append(c.at < wanted.until_ms)
    return conditions


@use_cases.transaction
async def recent(
    conn: Connection, limit: int, wanted: AuditFilter | None = None
) -> list[dict[str, Any]]:
    statement = (
        select(audit_log)
        .where(*_conditions(wanted or AuditFilter()))
        .order_by(audit_log.c.id.desc())
        .limit(limit)
    )
    # str(): column keys are quoted_name, a str subclass orjson refuses as a dict key
    return [{str(k): v for k, v in row._mapping.items()} for row in await conn.execute(statement)]
