"""Planner statistics stay fresh even where PostgreSQL's autovacuum is off."""

import asyncio
import time

import asyncpg
import pytest

from services.core.config import DatabaseSettings
from services.core.db.engine import Database, create_engine
from services.core.db.statistics import StatisticsKeeper, analyze_stale_tables
from tests.fixtures.databases import create_database, drop_database


@pytest.fixture
def scratch_url(postgres_admin_url: str):
    url = create_database(postgres_admin_url)
    yield url
    drop_database(postgres_admin_url, url)


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


def test_tables_changed_past_the_threshold_are_analyzed(scratch_url: str) -> None:
    async def scenario() -> None:
        raw = await asyncpg.connect(scratch_url.replace("+asyncpg", ""))
        settings = DatabaseSettings()
        db = Database(create_engine(scratch_url, settings, "test"), settings)
        try:
            await raw.execute("CREATE TABLE busy (id int); CREATE TABLE quiet (id int)")
            await raw.execute("INSERT INTO busy SELECT generate_series(1, 1000)")
            await raw.execute("INSERT INTO quiet VALUES (1)")  # under 50 + 10%: left alone

            async def counted() -> bool:  # table statistics reach pg_stat asynchronously
                return (await _last_analyzed(raw, "busy"))[1] >= 1000

            await _until(counted)
            assert await db.transaction(analyze_stale_tables) == ["busy"]
            analyzed_at, changed = await _last_analyzed(raw, "busy")
            assert analyzed_at is not None and changed == 0
            assert (await _last_analyzed(raw, "quiet"))[0] is None
            assert await db.transaction(analyze_stale_tables) == []  # nothing stale any more
        finally:
            await raw.close()
            await db.dispose()

    asyncio.run(scenario())


def test_the_keeper_analyzes_by_itself_when_autovacuum_is_off(scratch_url: str) -> None:
    async def scenario() -> None:
        raw = await asyncpg.connect(scratch_url.replace("+asyncpg", ""))
        settings = DatabaseSettings()
        db = Database(create_engine(scratch_url, settings, "test"), settings)
        try:
            if await raw.fetchval("SHOW autovacuum") == "on":
                pytest.skip("autovacuum is on here: PostgreSQL keeps statistics itself")
            await raw.execute("CREATE TABLE runs_like (id int)")
            async with StatisticsKeeper(db, interval_seconds=0.2):
                await raw.execute("INSERT INTO runs_like SELECT generate_series(1, 500)")

                async def analyzed() -> bool:
                    return (await _last_analyzed(raw, "runs_like"))[0] is not None

                await _until(analyzed)
        finally:
            await raw.close()
            await db.dispose()

    asyncio.run(scenario())
