"""Planner statistics and visibility kept fresh when PostgreSQL's autovacuum is off.

Run search and history pages rely on the planner knowing how many rows match (e.g. to walk
an index in order instead of sorting every match). Without statistics PostgreSQL assumes
one row per condition and picks plans several times slower (figures: docs/benchmarks.md,
"Why the code is shaped this way"). History pages and search filters also read index-only
scans, which stay index-only only while the table's visibility map is kept by VACUUM:
unvacuumed, a 25,000-point history page checked every row on the heap and took 2-3x as long.

Autovacuum normally does both as tables change. Where it is off (seen on developer machines
and some managed setups) each process checks every `analyze_interval_seconds` and applies
autovacuum's own default rules: ANALYZE a table changed by more than 50 rows + 10% since its
last analysis; VACUUM (ANALYZE) one with more than 1,000 rows + 20% inserted since its last
vacuum (PostgreSQL 13's insert rule, which is what keeps insert-only tables such as metrics
index-only) or more than 50 rows + 20% dead. VACUUM takes no lock that blocks reads or
writes. It runs as a background loop (services/core/loops.py; a failed pass is logged and
the next one tries again), on one connection outside any transaction (VACUUM cannot run in
one), and a session advisory lock lets one process at a time do it.
"""

import logging

import asyncpg

from services.core.db.engine import Database
from services.core.loops import LoopService

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x6772_6D73  # "grms": one maintainer at a time across replicas

# Each rule written once: what a table needs, then the tables that need something. The name
# comes back quoted as an identifier by PostgreSQL itself.
_STALE_TABLES = """
    SELECT quote_ident(relname) AS quoted, relname, needs_vacuum FROM (
        SELECT relname,
               n_ins_since_vacuum > 1000 + 0.2 * n_live_tup
                   OR n_dead_tup > 50 + 0.2 * n_live_tup AS needs_vacuum,
               n_mod_since_analyze > 50 + 0.1 * n_live_tup AS needs_analyze
        FROM pg_stat_user_tables
        WHERE schemaname = current_schema()
    ) AS tables
    WHERE needs_vacuum OR needs_analyze
    ORDER BY relname
"""


async def _autovacuum_on(conn: asyncpg.Connection) -> bool:
    return bool(await conn.fetchval("SHOW autovacuum") == "on")


async def maintain_stale_tables(conn: asyncpg.Connection) -> dict[str, str]:
    """Vacuum or analyze our tables that need it, on a connection outside any transaction;
    returns what was done to each ({} if another process holds the lock)."""
    if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", ADVISORY_LOCK_KEY):
        return {}
    done: dict[str, str] = {}
    try:
        # A large table's VACUUM may outlast the request-sized statement timeout; RESET
        # below gives the pooled connection its own back.
        await conn.execute("SET statement_timeout = 0")
        for quoted, table, needs_vacuum in await conn.fetch(_STALE_TABLES):
            command = "VACUUM (ANALYZE)" if needs_vacuum else "ANALYZE"
            # The simple query protocol (no arguments), as VACUUM may not run in the
            # extended one's block.
            await conn.execute(f"{command} {quoted}")
            done[table] = "vacuumed" if needs_vacuum else "analyzed"
    finally:
        await conn.execute("RESET statement_timeout")
        await conn.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)
    return done


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
            if await self.db.driver(_autovacuum_on):
                return False  # PostgreSQL keeps statistics itself
        except Exception as error:  # the database may still be starting; assume off
            log.debug("could not read autovacuum setting: %s", error)
        log.warning(
            "PostgreSQL autovacuum is off: Grimoire analyzes and vacuums its own tables "
            "by autovacuum's default rules (docs/configuration.md)."
        )
        return True

    async def run_once(self) -> None:
        done = await self.db.driver(maintain_stale_tables)
        if done:
            log.info("maintained %s", ", ".join(f"{t} ({what})" for t, what in done.items()))
