"""Planner statistics kept fresh when PostgreSQL's autovacuum is off.

Run search and history pages rely on the planner knowing how many rows match (e.g. to walk
an index in order instead of sorting every match). Without statistics PostgreSQL assumes
one row per condition and picks plans several times slower (figures: docs/benchmarks.md,
"Why the code is shaped this way"). Autovacuum
normally analyzes tables as they change; where it is off (seen on developer machines and
some managed setups) each process checks every `analyze_interval_seconds` for tables
changed by more than 50 rows + 10% since their last analysis (autovacuum's own default
rule) and analyzes them (a background loop, services/core/loops.py; a failed pass is logged
and the next one tries again). A transaction-level advisory lock lets one process at a time do
it. Vacuuming (space reuse) stays the database administrator's job; a warning says so.
"""

import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.core.db.engine import Database
from services.core.loops import LoopService

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x6772_6D73  # "grms": one analyzer at a time across replicas

_STALE_TABLES = text(
    """
    SELECT relname FROM pg_stat_user_tables
    WHERE schemaname = current_schema()
      AND n_mod_since_analyze > 50 + 0.1 * n_live_tup
    ORDER BY relname
    """
)


async def _autovacuum_on(conn: AsyncConnection) -> bool:
    setting: str = (await conn.execute(text("SHOW autovacuum"))).scalar_one()
    return setting == "on"


async def analyze_stale_tables(conn: AsyncConnection) -> list[str]:
    """Analyze our tables that changed enough; returns their names ([] if another process
    holds the lock)."""
    got = (
        await conn.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
        )
    ).scalar_one()
    if not got:
        return []
    stale = list((await conn.execute(_STALE_TABLES)).scalars())
    for table in stale:
        # Names come from the catalogue, quoted as identifiers.
        await conn.execute(text(f'ANALYZE "{table.replace(chr(34), chr(34) * 2)}"'))
    return stale


class StatisticsKeeper(LoopService):
    name = "statistics-keeper"

    def __init__(self, db: Database, interval_seconds: float):
        super().__init__()
        self.db = db
        self.interval_seconds = interval_seconds

    async def on_start(self) -> bool:
        if self.interval_seconds <= 0:
            return False  # switched off
        try:
            if await self.db.autocommit(_autovacuum_on):
                return False  # PostgreSQL keeps statistics itself
        except Exception as error:  # the database may still be starting; assume off
            log.debug("could not read autovacuum setting: %s", error)
        log.warning(
            "PostgreSQL autovacuum is off: Grimoire analyzes its tables itself; vacuuming "
            "them is left to the database administrator."
        )
        return True

    async def run_once(self) -> None:
        analyzed = await self.db.transaction(analyze_stale_tables)
        if analyzed:
            log.info("analyzed %s", ", ".join(analyzed))
