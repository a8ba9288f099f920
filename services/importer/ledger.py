"""The import ledger (core's `import_ledger` table): what a source's object became here and
the fingerprint of its content when it was imported. A ledger row commits in the same
transaction as the rows it describes, so it is there exactly when they are."""

import hashlib
import json
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.core.clock import now_ms
from services.core.db.tables.imports import import_ledger


def fingerprint(obj: Any) -> str:
    """sha256 of the object's content, independent of the order a source lists it in."""
    content = asdict(obj)
    if "metrics" in content:
        content["metrics"] = sorted(
            content["metrics"], key=lambda p: tuple(repr(value) for value in p.values())
        )
    return fingerprint_of(content)


def fingerprint_of(value: Any) -> str:
    """sha256 of a plain value (dataclasses as dicts); NaN is spelt NaN, so equal."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    encoded = json.dumps(value, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


@dataclass(frozen=True)
class Entry:
    target_id: str
    fingerprint: str


async def entry(conn: AsyncConnection, source: str, kind: str, source_id: str) -> Entry | None:
    row = (
        await conn.execute(
            select(import_ledger.c.target_id, import_ledger.c.fingerprint).where(
                import_ledger.c.source == source,
                import_ledger.c.kind == kind,
                import_ledger.c.source_id == source_id,
            )
        )
    ).first()
    return None if row is None else Entry(row.target_id, row.fingerprint)


async def entries(conn: AsyncConnection, source: str, kind: str) -> dict[str, Entry]:
    rows = await conn.execute(
        select(
            import_ledger.c.source_id, import_ledger.c.target_id, import_ledger.c.fingerprint
        ).where(import_ledger.c.source == source, import_ledger.c.kind == kind)
    )
    return {row.source_id: Entry(row.target_id, row.fingerprint) for row in rows}


async def record(
    conn: AsyncConnection, source: str, kind: str, source_id: str, target_id: str, digest: str
) -> None:
    await conn.execute(
        import_ledger.insert().values(
            source=source,
            kind=kind,
            source_id=source_id,
            target_id=target_id,
            fingerprint=digest,
            imported_at=now_ms(),
        )
    )
