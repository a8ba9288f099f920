"""The import ledger (core's `import_ledger` table): what a source's object became here, the
fingerprint of its content when it was imported and, for runs and logged models, the digest
of the rows stored and the record of the artifact files copied. A ledger row commits in the
same transaction as the rows it describes, so it is there exactly when they are."""

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.core.clock import now_ms
from services.core.db.tables.imports import import_ledger

# {path: (size, sha256)} of the artifact files an object's import copied.
Files = dict[str, tuple[int, str]]


def fingerprint(obj: Any) -> str:
    """sha256 of the object's content, independent of the order a source lists its metrics
    in (a run's are put in order by `stored.comparable`)."""
    if is_dataclass(obj) and not isinstance(obj, type) and hasattr(obj, "metrics"):
        obj = replace(obj, metrics=sorted(obj.metrics, key=repr))
    return fingerprint_of(obj)


def _field_values(value: Any) -> list[Any] | str:
    """A dataclass as the list of its field values (in declaration order): what the
    encoder needs, without copying a run's million points into dicts first."""
    if is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, f.name) for f in fields(value)]
    return str(value)


def fingerprint_of(value: Any) -> str:
    """sha256 of a plain value or dataclass; NaN is spelt NaN, so equal."""
    encoded = json.dumps(value, sort_keys=True, default=_field_values).encode()
    return hashlib.sha256(encoded).hexdigest()


@dataclass(frozen=True)
class Entry:
    target_id: str
    fingerprint: str
    stored_digest: str | None = None
    files: Files | None = None


def _entry(row: Any) -> Entry:
    files = None if row.files is None else {p: (s, h) for p, (s, h) in row.files.items()}
    return Entry(row.target_id, row.fingerprint, row.stored_digest, files)


_COLUMNS = (
    import_ledger.c.source_id,
    import_ledger.c.target_id,
    import_ledger.c.fingerprint,
    import_ledger.c.stored_digest,
    import_ledger.c.files,
)


async def entry(conn: AsyncConnection, source: str, kind: str, source_id: str) -> Entry | None:
    found = await entries(conn, source, kind, source_id)
    return found.get(source_id)


async def entries(
    conn: AsyncConnection, source: str, kind: str, source_id: str | None = None
) -> dict[str, Entry]:
    """The source's entries of one kind (or the one with `source_id`), by source id."""
    query = select(*_COLUMNS).where(import_ledger.c.source == source, import_ledger.c.kind == kind)
    if source_id is not None:
        query = query.where(import_ledger.c.source_id == source_id)
    return {row.source_id: _entry(row) for row in await conn.execute(query)}


@dataclass(frozen=True)
class Record:
    target_id: str
    fingerprint: str
    stored_digest: str | None = None
    files: Files = field(default_factory=dict)


async def record(
    conn: AsyncConnection, source: str, kind: str, source_id: str, what: Record
) -> None:
    """Insert or replace the entry (a registered model's is rewritten when versions the
    source gained since are imported; the import's state on every run)."""
    values = {
        "target_id": what.target_id,
        "fingerprint": what.fingerprint,
        "stored_digest": what.stored_digest,
        "files": {p: list(v) for p, v in what.files.items()} or None,
        "imported_at": now_ms(),
    }
    statement = insert(import_ledger).values(source=source, kind=kind, source_id=source_id)
    await conn.execute(
        statement.values(values).on_conflict_do_update(
            index_elements=["source", "kind", "source_id"], set_=values
        )
    )
