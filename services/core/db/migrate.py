"""Schema migrations: run once, explicitly, under a PostgreSQL advisory lock.

`grimoire db upgrade` (and the Helm migration Job) call `upgrade`; several replicas starting
at once serialise on the lock, and whoever comes second finds the schema at head. Serving
processes never migrate and never import this module: they check the schema with
`services.core.db.schema_version` and refuse to start when behind.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from services.core.db.engine import async_url

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Any constant works; this one spells "grimoire" in ASCII so it is recognisable in pg_locks.
ADVISORY_LOCK_KEY = 0x6772696D6F697265


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(url: str, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate to `revision`; return (revision before, revision after)."""
    engine = create_async_engine(async_url(url), poolclass=None)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            await conn.commit()
            try:
                before = await conn.run_sync(_current_revision)
                await conn.run_sync(
                    lambda sync_conn: command.upgrade(alembic_config(sync_conn), revision)
                )
                await conn.commit()
                after = await conn.run_sync(_current_revision)
            finally:
                await conn.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
                await conn.commit()
        return before, after
    finally:
        await engine.dispose()
