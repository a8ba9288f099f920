"""Background loops (services/core/loops.py) and leased claims (services/core/db/leasing.py),
on real asyncio and real PostgreSQL: passes store rows, fail in the database, sleep in it."""

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterator

import asyncpg
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, Text, select, text

from services.core.auth.credential_cache import CHANNEL, CredentialWatch, TokenCache
from services.core.config import DatabaseSettings
from services.core.db import leasing
from services.core.db.engine import Database, create_engine
from services.core.errors import TemporarilyUnavailable
from services.core.loops import LoopService
from tests.fixtures.databases import create_database, drop_database
from tests.fixtures.servers import free_port

APPLICATION = "grimoire-test-loops"


@pytest.fixture(scope="module")
def scratch_url(postgres_admin_url: str) -> Iterator[str]:
    url = create_database(postgres_admin_url)
    yield url
    drop_database(postgres_admin_url, url)


def raw_url(url: str) -> str:
    return url.replace("+asyncpg", "")


def open_database(url: str) -> Database:
    settings = DatabaseSettings()
    return Database(create_engine(url, settings, APPLICATION), settings)


async def eventually(condition: Callable[[], Awaitable[bool]], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.02)


def sample(name: str, loop: str) -> float:
    return REGISTRY.get_sample_value(name, {"loop": loop}) or 0.0


def counters(loop: str) -> tuple[float, float, float]:
    return (
        sample("grimoire_loop_passes_total", loop),
        sample("grimoire_loop_failures_total", loop),
        sample("grimoire_loop_pass_duration_seconds_count", loop),
    )


def nothing_left_running() -> None:
    assert asyncio.all_tasks() == {asyncio.current_task()}


# A table of pass records; each test's loop writes under its own name.
passes = Table(
    "loop_passes",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("loop", Text, nullable=False),
    Column("note", Text, nullable=False),
)


async def record(conn, loop: str, note: str = "pass") -> None:
    await conn.execute(passes.insert().values(loop=loop, note=note))


async def notes(db: Database, loop: str) -> list[str]:
    async def read(conn) -> list[str]:
        rows = await conn.execute(
            select(passes.c.note).where(passes.c.loop == loop).order_by(passes.c.id)
        )
        return list(rows.scalars())

    return await db.autocommit(read)


def scenario(url: str, body: Callable[[Database], Awaitable[None]]) -> None:
    """`body(db)` in a fresh event loop (so leaked tasks show), the pass table empty."""

    async def run() -> None:
        db = open_database(url)
        try:
            async with db.engine.begin() as conn:
                await conn.run_sync(passes.metadata.drop_all)
                await conn.run_sync(passes.metadata.create_all)
            await body(db)
            assert db.engine.pool.checkedout() == 0  # every pass gave its connection back
        finally:
            await db.dispose()

    asyncio.run(run())


class Counting(LoopService):
    """Stores a row per pass; says more work is waiting for its first `backlog` passes."""

    name = "test-counting"

    def __init__(self, db: Database, interval_seconds: float, backlog: int = 0):
        super().__init__()
        self.db = db
        self.interval_seconds = interval_seconds
        self.backlog = backlog

    async def run_once(self) -> bool:
        await self.db.transaction(record, self.name)
        self.backlog -= 1
        return self.backlog >= 0


def test_passes_repeat_on_their_interval_and_are_counted(scratch_url: str) -> None:
    async def body(db: Database) -> None:
        before = counters(Counting.name)
        async with Counting(db, interval_seconds=0.02):
            # Exported from the start, failures included, so a rate over them starts at 0.
            labels = {"loop": Counting.name}
            assert REGISTRY.get_sample_value("grimoire_loop_failures_total", labels) == 0

            async def three() -> bool:
                return len(await notes(db, Counting.name)) >= 3

            await eventually(three)
        stored = len(await notes(db, Counting.name))
        passes_run, failures, timed = (
            after - earlier for after, earlier in zip(counters(Counting.name), before, strict=True)
        )
        assert passes_run == timed == stored
        assert failures == 0
        nothing_left_running()

    scenario(scratch_url, body)


class Draining(Counting):
    name = "test-draining"


def test_a_backlog_drains_at_once_then_the_interval_paces_and_wake_cuts_it(
    scratch_url: str,
) -> None:
    async def body(db: Database) -> None:
        async with Draining(db, interval_seconds=3600, backlog=3) as loop:

            def stored(count: int) -> Callable[[], Awaitable[bool]]:
                async def reached() -> bool:
                    return len(await notes(db, Draining.name)) >= count

                return reached

            # Three passes found more waiting, the fourth did not: four passes, then an hour.
            await eventually(stored(4))
            loop.wake()
            await eventually(stored(5))
        assert len(await notes(db, Draining.name)) == 5  # nothing ran inside the hour's pause
        nothing_left_running()

    scenario(scratch_url, body)


class Flaky(LoopService):
    """Every other pass fails inside PostgreSQL (division by zero); the others store a row."""

    name = "test-flaky"
    interval_seconds = 0.01

    def __init__(self, db: Database):
        super().__init__()
        self.db = db
        self.calls = 0

    async def run_once(self) -> None:
        self.calls += 1
        if self.calls % 2:
            await self.db.transaction(lambda conn: conn.execute(text("SELECT 1 / 0")))
        await self.db.transaction(record, self.name)


def test_a_failing_pass_is_logged_and_the_loop_carries_on(
    scratch_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def body(db: Database) -> None:
        before = counters(Flaky.name)
        loop = Flaky(db)
        async with loop:

            async def recovered_twice() -> bool:
                return len(await notes(db, Flaky.name)) >= 2

            await eventually(recovered_twice)
        failed = [r for r in caplog.records if r.getMessage() == "loop test-flaky: pass failed"]
        assert len(failed) == (loop.calls + 1) // 2  # one record per failed pass
        assert all(r.levelno == logging.ERROR and r.exc_info for r in failed)
        assert "division by zero" in str(failed[0].exc_info[1])
        passes_run, failures, _ = (
            after - earlier for after, earlier in zip(counters(Flaky.name), before, strict=True)
        )
        assert passes_run == loop.calls
        assert failures == len(failed)
        nothing_left_running()

    scenario(scratch_url, body)


class Unavailable(LoopService):
    """The database refuses the work: the outage every loop meets now and then."""

    name = "test-unavailable"
    interval_seconds = 0.01
    failure_backoff = (0.01, 3600)

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def run_once(self) -> None:
        self.calls += 1
        raise TemporarilyUnavailable("The database is unreachable; retry shortly.")


def test_an_outage_is_one_warning_line_and_failures_back_off(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def body() -> None:
        loop = Unavailable()
        async with loop:

            async def failed_twice() -> bool:
                return loop.consecutive_failures >= 2

            await eventually(failed_twice)
            # After the second failure in a row the pause is the backoff's last step.
            assert 3600 * 0.9 <= loop.next_pause() <= 3600 * 1.1
        assert loop.calls == 2  # the hour-long backoff held the third pass back
        warnings = [r for r in caplog.records if "pass failed" in r.getMessage()]
        message = (
            "loop test-unavailable: pass failed (TemporarilyUnavailable: The database is "
            "unreachable; retry shortly.)"
        )
        assert [r.getMessage() for r in warnings] == [message, message]
        assert all(r.levelno == logging.WARNING and not r.exc_info for r in warnings)
        nothing_left_running()

    asyncio.run(body())


class Slow(LoopService):
    """Its first pass sleeps in PostgreSQL far past the interval."""

    name = "test-slow"
    interval_seconds = 0.01

    def __init__(self, db: Database):
        super().__init__()
        self.db = db

    async def run_once(self) -> None:
        seconds = 0.3 if not await notes(self.db, self.name) else 0
        await self.db.transaction(lambda conn: conn.execute(text(f"SELECT pg_sleep({seconds})")))
        await self.db.transaction(record, self.name)


def test_a_pass_longer_than_its_interval_warns_and_the_loop_goes_on(
    scratch_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def body(db: Database) -> None:
        async with Slow(db):

            async def passed_again() -> bool:
                return len(await notes(db, Slow.name)) >= 2

            await eventually(passed_again)
        [first, *_] = [r.getMessage() for r in caplog.records if "budget" in r.getMessage()]
        took = re.fullmatch(
            r"loop test-slow: a pass took (\d+\.\d\d) s, longer than its "
            r"0\.01 s budget",
            first,
        )
        assert took and float(took[1]) >= 0.3  # the slow first pass, slept in PostgreSQL
        nothing_left_running()

    scenario(scratch_url, body)


def test_stop_ends_a_pause_at_once(scratch_url: str) -> None:
    async def body(db: Database) -> None:
        loop = Counting(db, interval_seconds=3600)
        loop.start()

        async def passed() -> bool:
            return loop.consecutive_failures == 0 and len(await notes(db, loop.name)) > 0

        await eventually(passed)
        # Far inside the hour's pause; a generous deadline, not a measurement.
        await asyncio.wait_for(loop.stop(), 10)
        nothing_left_running()

    scenario(scratch_url, body)


class Sleeper(LoopService):
    """A pass that sleeps in PostgreSQL, then notes that it finished; on_stop notes too."""

    name = "test-sleeper"
    interval_seconds = 3600

    def __init__(self, db: Database, sleep_seconds: float, grace: float):
        super().__init__()
        self.db = db
        self.sleep_seconds = sleep_seconds
        self.stop_grace_seconds = grace
        self.started = asyncio.Event()
        self.stopped = False

    async def run_once(self) -> None:
        async def sleep_then_note(conn) -> None:
            await conn.execute(text(f"SELECT pg_sleep({self.sleep_seconds})"))
            await record(conn, self.name, "finished")

        self.started.set()
        await self.db.transaction(sleep_then_note)

    async def on_stop(self) -> None:
        self.stopped = True


def test_stop_lets_a_pass_in_progress_finish(
    scratch_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def body(db: Database) -> None:
        loop = Sleeper(db, sleep_seconds=0.5, grace=30)
        async with loop:
            await loop.started.wait()
        assert await notes(db, Sleeper.name) == ["finished"]
        assert loop.stopped
        assert "cancelling" not in caplog.text
        nothing_left_running()

    scenario(scratch_url, body)


def test_stop_cancels_a_pass_past_its_grace_and_nothing_leaks(
    scratch_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def body(db: Database) -> None:
        raw = await asyncpg.connect(raw_url(scratch_url))
        try:
            loop = Sleeper(db, sleep_seconds=3600, grace=0.1)
            loop.start()
            await loop.started.wait()
            await asyncio.wait_for(loop.stop(), 10)
            assert loop.stopped
            assert "loop test-sleeper: cancelling the pass still running at stop" in caplog.text
            nothing_left_running()

            async def no_sleep_left() -> bool:  # the statement itself was cancelled
                return not await raw.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND state = 'active' AND query LIKE 'SELECT pg_sleep(3600%'"
                )

            await eventually(no_sleep_left)
        finally:
            await raw.close()
        assert await notes(db, Sleeper.name) == []  # the cut-off pass committed nothing

    scenario(scratch_url, body)


class Idle(LoopService):
    name = "test-idle"
    interval_seconds = 0.01

    def __init__(self, start: Callable[[], bool]):
        super().__init__()
        self.start_answer = start
        self.calls = 0

    async def on_start(self) -> bool:
        return self.start_answer()

    async def run_once(self) -> None:
        self.calls += 1


def loop_ended(loop: LoopService) -> Callable[[], Awaitable[bool]]:
    async def ended() -> bool:
        return loop._task is not None and loop._task.done()

    return ended


def test_a_loop_with_nothing_to_do_or_that_cannot_start_never_passes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> bool:
        raise RuntimeError("no such setting")

    async def body() -> None:
        for answer in (lambda: False, broken):
            loop = Idle(answer)
            async with loop:
                # It ends by itself: a loop that went on to pass would run until stopped.
                await eventually(loop_ended(loop))
            assert loop.calls == 0
        assert "loop test-idle could not start; it does not run in this process" in caplog.text
        nothing_left_running()

    asyncio.run(body())


def test_pauses_follow_the_interval_then_the_failure_backoff() -> None:
    loop = Unavailable()
    for failures, expected in ((0, 0.01), (1, 0.01), (2, 3600), (7, 3600)):
        loop.consecutive_failures = failures
        pauses = [loop.next_pause() for _ in range(200)]
        assert expected * 0.9 <= min(pauses) <= max(pauses) <= expected * 1.1
        assert len(set(pauses)) > 1  # jittered


# Leased claims, on a table with a two-column key (the helper knows no particular table).
work = Table(
    "leased_work",
    MetaData(),
    Column("queue", Text, primary_key=True),
    Column("item", Integer, primary_key=True),
    Column("lease_until", BigInteger),
    Column("claims", Integer, nullable=False, server_default="0"),
)
LEASE_MS = 60_000


def claim(now: int, limit: int):
    statement = leasing.claim(
        work,
        work.c.lease_until,
        now=now,
        until=now + LEASE_MS,
        limit=limit,
        where=(work.c.queue == "jobs",),
        order_by=(work.c.item,),
        also_set={work.c.claims: work.c.claims + 1},
    )
    return statement.returning(work.c.item)


async def claimed(conn, now: int, limit: int) -> list[int]:
    return list((await conn.execute(claim(now, limit))).scalars())


async def fill(db: Database, count: int) -> None:
    async def refill(conn) -> None:
        await conn.run_sync(work.metadata.drop_all)
        await conn.run_sync(work.metadata.create_all)
        rows = [{"queue": q, "item": i} for q in ("jobs", "other") for i in range(count)]
        await conn.execute(work.insert(), rows)

    await db.transaction(refill)


async def claim_counts(db: Database) -> dict[int, int]:
    async def read(conn) -> dict[int, int]:
        rows = await conn.execute(select(work.c.item, work.c.claims).where(work.c.queue == "jobs"))
        return dict(rows.tuples().all())

    return await db.autocommit(read)


def test_two_claimers_at_once_never_get_the_same_row(scratch_url: str) -> None:
    async def body(db: Database) -> None:
        await fill(db, 40)
        now = 1_000_000
        # One claimer holds its rows uncommitted while the other claims: skipped, not waited on.
        async with db.engine.connect() as first, db.engine.connect() as second:
            await second.execute(text("SET lock_timeout = '5s'"))  # waiting would fail loudly
            first_rows = await claimed(first, now, 5)
            second_rows = await claimed(second, now, 100)
            await first.commit()
            await second.commit()
        assert sorted(first_rows) == [0, 1, 2, 3, 4]  # the first by `order_by`
        assert sorted(second_rows) == list(range(5, 40))
        assert set((await claim_counts(db)).values()) == {1}

        # Eight claimers racing in small batches until the queue is empty.
        await fill(db, 40)

        async def drain() -> list[int]:
            mine: list[int] = []
            while batch := await db.transaction(claimed, now, 3):
                assert len(batch) <= 3
                mine += batch
            return mine

        shares = await asyncio.gather(*(drain() for _ in range(8)))
        every = [item for share in shares for item in share]
        assert sorted(every) == list(range(40))  # each row once, none lost
        assert set((await claim_counts(db)).values()) == {1}

    scenario(scratch_url, body)


def test_a_held_lease_is_not_claimable_and_an_expired_one_is(scratch_url: str) -> None:
    async def body(db: Database) -> None:
        await fill(db, 10)
        now = 1_000_000
        assert sorted(await db.transaction(claimed, now, 3)) == [0, 1, 2]  # the limit, by order_by
        assert sorted(await db.transaction(claimed, now, 100)) == list(range(3, 10))
        until = now + LEASE_MS
        assert await db.transaction(claimed, until - 1, 100) == []  # every lease still held
        assert await db.transaction(claimed, until, 100) == []  # held up to its deadline
        assert sorted(await db.transaction(claimed, until + 1, 4)) == [0, 1, 2, 3]  # expired
        counts = await claim_counts(db)
        assert counts == {i: 2 if i < 4 else 1 for i in range(10)}

        async def other_queue(conn) -> list[int | None]:
            rows = await conn.execute(select(work.c.lease_until).where(work.c.queue == "other"))
            return list(rows.scalars())

        assert set(await db.autocommit(other_queue)) == {None}  # `where` kept the claim to its rows

    scenario(scratch_url, body)


# The credential watch is a loop too: caches on only while it listens.


async def watch_backends(raw: asyncpg.Connection) -> int:
    return await raw.fetchval(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = 'grimoire-watch' AND datname = current_database()"
    )


def test_the_credential_watch_enables_caches_only_while_it_listens(
    scratch_url: str, postgres_admin_url: str
) -> None:
    async def body() -> None:
        raw = await asyncpg.connect(raw_url(scratch_url))
        admin = await asyncpg.connect(raw_url(postgres_admin_url))
        cache = TokenCache()
        try:
            async with CredentialWatch(scratch_url, (cache,)) as watch:

                async def enabled() -> bool:
                    return cache.enabled

                await eventually(enabled)
                generation = cache.generation

                await raw.execute("SELECT pg_notify($1, '')", CHANNEL)

                async def invalidated() -> bool:
                    return cache.generation > generation

                await eventually(invalidated)
                assert cache.enabled

                # Lost, and the database refuses it for now: the caches stay off meanwhile.
                database = await raw.fetchval("SELECT current_database()")
                await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
                try:
                    lost = await admin.fetchval(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                        "application_name = 'grimoire-watch' AND datname = $1",
                        database,
                    )
                    assert lost

                    async def refused() -> bool:
                        return watch.consecutive_failures >= 2

                    await eventually(refused)
                    assert not cache.enabled
                finally:
                    await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
                await eventually(enabled)  # back, listening again
                assert await watch_backends(raw) == 1
            assert not cache.enabled

            async def closed() -> bool:
                return await watch_backends(raw) == 0

            await eventually(closed)
        finally:
            await raw.close()
            await admin.close()
        nothing_left_running()

    asyncio.run(body())


def test_the_credential_watch_keeps_caches_off_while_the_database_is_unreachable() -> None:
    async def body() -> None:
        cache = TokenCache()
        before = counters(CredentialWatch.name)
        watch = CredentialWatch(f"postgresql://postgres@127.0.0.1:{free_port()}/none", (cache,))
        async with watch:

            async def refused_twice() -> bool:
                return watch.consecutive_failures >= 2

            await eventually(refused_twice)
            assert not cache.enabled
        failures = counters(CredentialWatch.name)[1] - before[1]
        assert failures >= 2
        nothing_left_running()

    asyncio.run(body())
