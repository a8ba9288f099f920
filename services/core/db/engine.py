"""The async engine and the one way requests touch the database.

`Database.transaction(fn, ...)` gives `fn` a connection inside one transaction and commits
when it returns; `autocommit` and `search` are the other two modes (service functions declare
theirs with `services.core.db.use_cases`). It is also where infrastructure trouble becomes
MLflow's contract:

* pool exhausted (every connection busy past `pool_timeout`) -> 503 + Retry-After, never 400;
* database unreachable (restart, failover) -> the whole transaction is retried for up to
  `outage_retry_seconds`, so short outages are absorbed inside the server; past that, 503.

Retrying a whole transaction is safe because every write a service makes is idempotent by
key (metrics ON CONFLICT DO NOTHING, params equal-value, tags upsert, ids chosen by the
caller before the first attempt). A connection can also drop after COMMIT was sent, when the
transaction may well have committed; so a write that would not repeat harmlessly (a new
version number, a new id or secret) takes its values from `chosen_once`, the same at every
attempt of one call, and finds its own earlier commit instead of writing a second row.

Only the database's own failures count as an outage: errors of a connection that dropped
(SQLAlchemy's invalidated connections, asyncpg's), and while a connection is being opened,
the operating system's (refused, timed out, host unresolvable) and a full server. Anything
else, an OSError of a webhook target's DNS lookup included, is the request's own error.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util.concurrency import greenlet_spawn

from services.core.config import DatabaseSettings
from services.core.db.fair_gate import POOL_BUSY, FairGate
from services.core.errors import TemporarilyUnavailable
from services.core.observability import DB_OUTAGE_RETRIES, MeteredCheckout

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
V = TypeVar("V")

# asyncpg's errors when the connection under a statement is gone or the server goes away.
_DROPPED = (
    asyncpg.ConnectionDoesNotExistError,  # closed in the middle of an operation
    # "connection is closed", or the protocol of a connection dropped mid-statement
    # ("another operation is in progress")
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.AdminShutdownError,  # terminated: restart, failover, pg_terminate_backend
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08
)
# Opening a connection fails with the operating system's own errors, unwrapped (refused,
# timed out, the database host unresolvable), or because the server is full.
_CONNECT_FAILURES = (*_DROPPED, asyncpg.TooManyConnectionsError, OSError)


def async_url(url: str) -> str:
    """Accept plain `postgresql://` URLs (what people paste) and select asyncpg."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, settings: DatabaseSettings, application_name: str) -> AsyncEngine:
    return create_async_engine(
        async_url(url),
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout,
        # LIFO keeps a few hot connections and lets idle ones age out.
        pool_use_lifo=True,
        # No pre-ping: it costs a round trip per checkout. Dead connections are detected on
        # use, invalidated by SQLAlchemy, and the transaction is retried by Database.
        pool_pre_ping=False,
        pool_recycle=1800,
        connect_args={
            "server_settings": {
                "application_name": application_name,
                "statement_timeout": str(settings.statement_timeout_ms),
                # JIT pays off for long analytic queries, never for these: a search's plan
                # past jit_above_cost was compiled at every call (searches plan per call), so a
                # long filter took seconds instead of milliseconds (docs/benchmarks.md).
                "jit": "off",
            },
            "timeout": 5,
        },
    )


def is_outage(error: BaseException, *, connecting: bool = False) -> bool:
    """Whether `error` is the database's failure (retry, then 503), not the request's. An
    OSError counts only while `connecting`: inside a transaction the driver reports a lost
    connection as its own error, so an OSError there is someone else's (a webhook target's
    DNS lookup, raised as a 400 with the gaierror still in its context)."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    counted = _CONNECT_FAILURES if connecting else _DROPPED
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, counted):
            return True
        current = current.__cause__ or current.__context__
    return False


# What `chosen_once` picked in the current Database call, kept across its attempts.
_call_choices: ContextVar[dict[Hashable, Any] | None] = ContextVar(
    "database_call_choices", default=None
)


def chosen_once(name: Hashable, choose: Callable[[], V]) -> V:
    """`choose()` at the first attempt of the current `Database` call, the same value at every
    replay of it. A write that is not idempotent by itself (a new id, secret or version
    number) keys its row with this and looks for that row first: after a connection dropped
    with COMMIT sent, the replay finds what committed instead of writing it twice. `name`
    tells apart the values one call chooses. Outside a Database call, simply `choose()`."""
    choices = _call_choices.get()
    if choices is None:
        return choose()
    if name not in choices:
        choices[name] = choose()
    chosen: V = choices[name]  # what choose() returned for this name at the first attempt
    return chosen


class Rider(Protocol):
    """Work that must commit with a request's change (its audit entry), never apart."""

    async def write(self, conn: AsyncConnection) -> None: ...

    def committed(self) -> None: ...


# Set per request by the auth guard; the next Database.transaction of that request carries
# it.
transaction_rider: ContextVar[Rider | None] = ContextVar("transaction_rider", default=None)

# Sent as one simple-protocol message: one round trip for both.
_BEGIN_PLANNED_PER_CALL = "BEGIN; SET LOCAL plan_cache_mode = force_custom_plan"


async def _roll_back(conn: AsyncConnection, raw: asyncpg.Connection) -> None:
    """End a failed driver transaction; a connection that cannot roll back (gone, or its
    protocol busy after a cancellation) is discarded so it never returns to the pool inside
    a transaction."""
    try:
        if not raw.is_closed() and raw.is_in_transaction():
            await raw.execute("ROLLBACK")
            return
    except BaseException:  # a cancellation too: the caller re-raises its own error anyway
        log.debug("rolling back a search transaction failed; discarding its connection")
    if raw.is_closed() or raw.is_in_transaction():
        await conn.invalidate()


class Database:
    def __init__(self, engine: AsyncEngine, settings: DatabaseSettings):
        self.engine = engine
        # The same pool; its connections are switched to autocommit as they are checked out
        # (and back on return), which saves each call an execution_options round through
        # the greenlet bridge (~10% of a plain log-metric's connection handling).
        self._autocommit_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.settings = settings
        # Every checkout waits its turn here first (fair_gate.py: the pool's wait is not).
        self._gate = FairGate(settings.pool_size + settings.max_overflow, settings.pool_timeout)

    async def transaction(
        self,
        fn: Callable[Concatenate[AsyncConnection, P], Awaitable[T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """`fn(conn, ...)` in one transaction, committed when it returns, together with the
        request's rider (its audit entry) if it has one."""
        rider = transaction_rider.get()
        if rider is None:
            return await self._attempt(self.engine.begin, fn, args, kwargs)

        async def with_rider(conn: AsyncConnection, *args: P.args, **kwargs: P.kwargs) -> T:
            result = await fn(conn, *args, **kwargs)
            await rider.write(conn)
            return result

        result = await self._attempt(self.engine.begin, with_rider, args, kwargs)
        rider.committed()
        return result

    async def autocommit(
        self,
        fn: Callable[Concatenate[AsyncConnection, P], Awaitable[T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Like transaction, without BEGIN/COMMIT round trips: each statement commits by
        itself and sees its own snapshot. For reads, and for writes that are one atomic
        statement (plain metric logging); use transaction() when statements must agree or
        commit together."""
        return await self._attempt(self._autocommit_engine.connect, fn, args, kwargs)

    async def search(
        self,
        fn: Callable[Concatenate[AsyncConnection, P], Awaitable[T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Like transaction, for searches: each statement is planned for its own values.
        PostgreSQL switches a prepared statement (SQLAlchemy and asyncpg prepare every one) to
        a generic plan after five executions when that plan looks no costlier on average, but
        a search filter's selectivity depends on its values: the generic plan of
        `metrics.accuracy > 0.9 and params.model = 'rf'` walked every 'rf' run where the
        planned-for-values one reads the page in index order, several times faster (figures:
        docs/benchmarks.md, "Why the code is shaped this way")."""
        return await self._attempt(self._planned_per_call, fn, args, kwargs)

    async def driver(
        self,
        fn: Callable[Concatenate[asyncpg.Connection, P], Awaitable[T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Like autocommit, for one atomic statement sent on the driver (plain metric
        logging): `fn` gets the pooled asyncpg connection itself, outside any transaction.
        Checking out the pool's connection without the SQL layer's Connection around it costs
        a third as much (~30 us instead of ~90 us a call, on the hottest write)."""
        return await self._attempt(self._driver_connection, fn, args, kwargs)

    @asynccontextmanager
    async def _driver_connection(self) -> AsyncIterator[asyncpg.Connection]:
        pooled = await greenlet_spawn(self.engine.sync_engine.raw_connection)
        try:
            yield pooled.driver_connection
        except Exception as error:
            if is_outage(error):  # a dropped connection must never go back to the pool
                await greenlet_spawn(pooled.invalidate)
            raise
        finally:
            await greenlet_spawn(pooled.close)  # back to the pool, or gone if invalidated

    @asynccontextmanager
    async def _planned_per_call(self) -> AsyncIterator[AsyncConnection]:
        """The transaction is the driver's, begun with the setting in one round trip (through
        the SQL layer, BEGIN and SET LOCAL are two); the SQL layer's connection is in
        autocommit mode so it sends no BEGIN of its own, and its statements run inside."""
        async with self._autocommit_engine.connect() as conn:
            raw = await driver_connection(conn)
            await raw.execute(_BEGIN_PLANNED_PER_CALL)
            try:
                yield conn
            except BaseException:
                await _roll_back(conn, raw)
                raise
            await raw.execute("COMMIT")

    @asynccontextmanager
    async def _in_turn(
        self, connect: Callable[[], AbstractAsyncContextManager[Any]]
    ) -> AsyncIterator[Any]:
        async with self._gate.admitted(), connect() as conn:
            yield conn

    async def _attempt(
        self,
        connect: Callable[[], AbstractAsyncContextManager[Any]],
        fn: Callable[..., Awaitable[T]],
        args: tuple[object, ...],
        kwargs: dict[str, object],
    ) -> T:
        choices = _call_choices.set({})  # what chosen_once picks, shared by this call's attempts
        try:
            return await self._until_answered(connect, fn, args, kwargs)
        finally:
            _call_choices.reset(choices)

    async def _until_answered(
        self,
        connect: Callable[[], AbstractAsyncContextManager[Any]],
        fn: Callable[..., Awaitable[T]],
        args: tuple[object, ...],
        kwargs: dict[str, object],
    ) -> T:
        deadline = time.monotonic() + self.settings.outage_retry_seconds
        delay = 0.05
        while True:
            connecting = True
            try:
                async with MeteredCheckout(self._in_turn(connect)) as conn:
                    connecting = False
                    try:
                        return await fn(conn, *args, **kwargs)
                    except Exception as error:
                        if is_outage(error) and isinstance(conn, AsyncConnection):
                            # Statements sent on the raw driver connection fail around the
                            # SQL layer, which then would not know to discard it: a dropped
                            # connection must never go back to the pool.
                            await conn.invalidate()
                        raise
            except sa_exc.TimeoutError as error:  # connections held outside the gate
                raise TemporarilyUnavailable(POOL_BUSY) from error
            except Exception as error:
                if not is_outage(error, connecting=connecting):
                    raise
                if time.monotonic() + delay > deadline:
                    log.warning("database unreachable, answering 503: %s", type(error).__name__)
                    raise TemporarilyUnavailable(
                        "The database is unreachable; retry shortly."
                    ) from error
                DB_OUTAGE_RETRIES.inc()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.5)

    async def dispose(self) -> None:
        await self.engine.dispose()


Connection = AsyncConnection


async def driver_connection(conn: AsyncConnection | asyncpg.Connection) -> asyncpg.Connection:
    """The asyncpg connection under `conn`, for the few statements whose per-call cost in the
    SQL layer matters (the metric write, history pages); `conn` itself when Database.driver
    gave it. In a transaction SQLAlchemy sends BEGIN lazily, with its first statement; a
    statement sent around it before that would run outside the transaction, so make sure it
    has begun."""
    if isinstance(conn, asyncpg.Connection):
        return conn
    adapted = (await conn.get_raw_connection()).dbapi_connection
    if adapted is None:  # only after invalidate(), which ends the connection's use
        raise RuntimeError("the connection was invalidated")
    raw: asyncpg.Connection = adapted.driver_connection
    if adapted.isolation_level != "autocommit" and not raw.is_in_transaction():
        await conn.execute(text("SELECT 1"))
    return raw
