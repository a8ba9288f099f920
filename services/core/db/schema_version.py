"""Where the database's schema is and where this build needs it: what a serving process
checks at startup and on /ready, without alembic.

alembic (~10 MiB a process, with its DDL and autogenerate modules) is needed to migrate, which
serving processes never do (`grimoire db upgrade`, the Helm Job). Reading the revision stamp
is one SELECT, and the head is the one revision no migration names as its `down_revision`;
both read the same things alembic reads (the `alembic_version` table, the migration scripts'
module-level identifiers), and a test checks the head against alembic's own.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg

if TYPE_CHECKING:  # the SQL layer is not loaded for stamped_revision (grimoire server's start)
    from sqlalchemy.ext.asyncio import AsyncConnection

VERSIONS_DIR = Path(__file__).resolve().parent.parent / "migrations" / "versions"


def _identifiers(script: Path) -> dict[str, object]:
    """The script's `revision` and `down_revision` literals (alembic's template writes both,
    annotated or not)."""
    found: dict[str, object] = {}
    for node in ast.parse(script.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            found[target.id] = ast.literal_eval(value)
    return found


_STAMP_TABLE = "SELECT to_regclass('alembic_version')"
_STAMP = "SELECT version_num FROM alembic_version"


@functools.cache
def head_revision() -> str:
    """The newest migration's revision. The history is linear by rule; a branch (two heads)
    is a packaging mistake this refuses to guess about."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in VERSIONS_DIR.glob("*.py"):
        ids = _identifiers(script)
        revision, parent = ids.get("revision"), ids.get("down_revision")
        if not isinstance(revision, str):
            continue
        revisions.add(revision)
        if isinstance(parent, str):
            parents.add(parent)
        elif isinstance(parent, tuple | list):  # a merge revision names several parents
            parents.update(parent)
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"the migrations under {VERSIONS_DIR} have heads {sorted(heads)}")
    return heads.pop()


async def current_revision(conn: AsyncConnection) -> str | None:
    """The revision the database is stamped with; None for a database never migrated."""
    if (await conn.exec_driver_sql(_STAMP_TABLE)).scalar() is None:
        return None
    stamped: str | None = (await conn.exec_driver_sql(_STAMP)).scalar()
    return stamped


async def stamped_revision(dsn: str) -> str | None:
    """current_revision over a connection of its own, on the driver: for `grimoire server`'s
    start, which should not wait ~0.4 s for the SQL layer's import just to learn that there
    is nothing to migrate."""
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        if await conn.fetchval(_STAMP_TABLE) is None:
            return None
        stamped: str | None = await conn.fetchval(_STAMP)
        return stamped
    finally:
        await conn.close()


async def current_and_head(conn: AsyncConnection) -> tuple[str | None, str]:
    return await current_revision(conn), head_revision()


class SchemaNotAtHead(RuntimeError):
    def __init__(self, current: str | None, head: str | None):
        super().__init__(
            f"The database schema is at revision {current or 'none (empty database)'} but this "
            f"version of Grimoire needs {head}. Run `grimoire db upgrade` (or the Helm "
            "migration Job) first."
        )
