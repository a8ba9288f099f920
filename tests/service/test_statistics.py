"""Planner statistics and visibility maps stay fresh even where PostgreSQL's autovacuum is off."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from services.core.config import DatabaseSettings
from services.core.db.engine import Database, create_engine
from services.core.db.statistics import (
    ADVISORY_LOCK_KEY,
    StatisticsKeeper,
    maintain_stale_tables,
)
from tests.fixtures.databases import create_database, drop_database


@pytest.fixture
def scratch_url(postgres_admin_url: str):
    url = create_database(postgres_admin_url)
    yield url
    drop_database(postgres_admin_url, url)


@asynccontextmanager
async def _connected(url: str) -> AsyncIterator[tuple[asyncpg.Connection, Database]]:
    """A plain connection to set the scene and read the statistics, and the kit's Database."""
    raw = await asyncpg.connect(url.replace("+asyncpg", ""))
    settings = DatabaseSettings()
    db = Database(create_engine(url, settings, "test"), settings)
    try:
        yield raw, db
    finally:
        await raw.close()
        await db.dispose()


async def _last_analyzed(conn: asyncpg.Connection, table: str) -> tuple[object, int]:
    row = await conn.fetchrow(
        "SELECT coalesce(last_analyze, last_autoanalyze) AS at, n_mod_since_analyze "
        "FROM pg_stat_user_tables WHERE relname = $1",
        table,
    )
    return row["at"], row["n_mod_since_analyze"]


async def _until(predicate, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not await predicate():
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.1)


async def _vacuum_state(conn: asyncpg.Connection, table: str) -> tuple[object, int, int]:
    row = await conn.fetchrow(
        "SELECT coalesce(s.last_vacuum, s.last_autovacuum) AS at, s.n_ins_since_vacuum, "
        "c.relallvisible FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
        "WHERE s.relname = $1",
        table,
    )
    return row["at"], row["n_ins_since_vacuum"], row["relallvisible"]


def test_tables_past_autovacuums_rules_are_vacuumed_or_analyzed(scratch_url: str) -> None:
    async def scenario() -> None:
        async with _connected(scratch_url) as (raw, db):
            await raw.execute(
                "CREATE TABLE inserted (id int PRIMARY KEY); CREATE TABLE changed (id int); "
                "CREATE TABLE quiet (id int)"
            )
            await raw.execute("INSERT INTO inserted SELECT generate_series(1, 5000)")
            await raw.execute("INSERT INTO changed SELECT generate_series(1, 500)")
            await raw.execute("INSERT INTO quiet VALUES (1)")  # under every threshold
            assert (await _vacuum_state(raw, "inserted"))[2] == 0  # nothing all-visible yet

            async def counted() -> bool:  # table statistics reach pg_stat asynchronously
                return (await _last_analyzed(raw, "inserted"))[1] >= 5000 and (
                    await _last_analyzed(raw, "changed")
                )[1] >= 500

            await _until(counted)
            done = await db.driver(maintain_stale_tables)
            # 5,000 inserts pass the insert rule (1,000 + 20%): vacuumed, and analyzed with
            # it; 500 pass only the analyze rule (50 + 10%).
            assert done == {"changed": "analyzed", "inserted": "vacuumed"}
            vacuumed_at, inserted_since, all_visible_pages = await _vacuum_state(raw, "inserted")
            assert vacuumed_at is not None and inserted_since == 0
            assert all_visible_pages > 0  # index-only scans can skip the heap now
            assert (await _last_analyzed(raw, "inserted"))[1] == 0
            assert (await _vacuum_state(raw, "changed"))[0] is None
            analyzed_at, changed = await _last_analyzed(raw, "changed")
            assert analyzed_at is not None and changed == 0
            assert (await _last_analyzed(raw, "quiet"))[0] is None
            assert await db.driver(maintain_stale_tables) == {}  # nothing stale any more
            # The pooled connection got its own statement timeout back.
            timeout = await db.driver(
                lambda conn: conn.fetchval(
                    "SELECT setting FROM pg_settings WHERE name = 'statement_timeout'"
                )
            )
            assert timeout == str(DatabaseSettings().statement_timeout_ms)

    asyncio.run(scenario())


def test_another_process_maintaining_means_this_one_waits_its_turn(scratch_url: str) -> None:
    async def scenario() -> None:
        async with _connected(scratch_url) as (raw, db):
            await raw.execute("CREATE TABLE busy (id int)")
            await raw.execute("INSERT INTO busy SELECT generate_series(1, 2000)")

            async def counted() -> bool:
                return (await _last_analyzed(raw, "busy"))[1] >= 2000

            await _until(counted)
            await raw.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY)
            assert await db.driver(maintain_stale_tables) == {}
            await raw.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)
            assert await db.driver(maintain_stale_tables) == {"busy": "vacuumed"}

    asyncio.run(scenario())


def test_the_keeper_vacuums_and_analyzes_by_itself_when_autovacuum_is_off(
    scratch_url: str,
) -> None:
    async def scenario() -> None:
        async with _connected(scratch_url) as (raw, db):
            if await raw.fetchval("SHOW autovacuum") == "on":
                pytest.skip("autovacuum is on here: PostgreSQL keeps statistics itself")
            await raw.execute("CREATE TABLE runs_like (id int)")
            async with StatisticsKeeper(db, interval_seconds=0.2):
                await raw.execute("INSERT INTO runs_like SELECT generate_series(1, 3000)")

                async def maintained() -> bool:
                    analyzed_at = (await _last_analyzed(raw, "runs_like"))[0]
                    vacuumed_at = (await _vacuum_state(raw, "runs_like"))[0]
                    return analyzed_at is not None and vacuumed_at is not None

                await _until(maintained)

    asyncio.run(scenario())
