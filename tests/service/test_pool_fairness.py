"""Requests get pooled connections in the order they asked for them (services/core/db/fair_gate.py).

The pool's own wait handed connections out of turn: in this test's load (40 clients calling
again as soon as each call returns, on 2 connections) ~15% of calls were served out of
arrival order, one 74 places late; under 256 writers in the benchmark a few waited past the
pool's timeout and were answered 503 while the median waited under a second.
"""

import asyncio

import pytest

from services.core.config import DatabaseSettings
from services.core.db.engine import Connection, Database, create_engine
from services.core.errors import TemporarilyUnavailable


def _small_pool(database_url: str, size: int, pool_timeout: float = 10.0) -> Database:
    settings = DatabaseSettings(pool_size=size, max_overflow=0, pool_timeout=pool_timeout)
    return Database(create_engine(database_url, settings, "test-pool-fairness"), settings)


async def test_connections_go_out_in_the_order_they_were_asked_for(database_url: str) -> None:
    db = _small_pool(database_url, size=2)
    asked: list[int] = []
    served: list[int] = []

    async def statement(conn: Connection, ticket: int | None = None) -> None:
        if ticket is not None:
            served.append(ticket)
        await conn.exec_driver_sql("SELECT 1")

    async def client(first_ticket: int) -> None:
        for ticket in range(first_ticket, first_ticket + 20):
            asked.append(ticket)
            await db.autocommit(statement, ticket)

    try:
        # Both connections open first: opening one awaits the server, which could let a
        # later call's new connection be ready first.
        await asyncio.gather(db.autocommit(statement), db.autocommit(statement))
        await asyncio.gather(*(client(1000 * number) for number in range(40)))
    finally:
        await db.dispose()
    assert len(served) == 800
    assert served == asked


async def test_past_the_pool_timeout_the_wait_ends_in_503(database_url: str) -> None:
    db = _small_pool(database_url, size=1, pool_timeout=0.2)
    holding = asyncio.Event()
    release = asyncio.Event()

    async def hold(conn: Connection) -> None:
        await conn.exec_driver_sql("SELECT 1")
        holding.set()
        await release.wait()

    async def quick(conn: Connection) -> int:
        return (await conn.exec_driver_sql("SELECT 1")).scalar_one()

    try:
        holder = asyncio.create_task(db.autocommit(hold))
        await holding.wait()
        with pytest.raises(TemporarilyUnavailable, match="connections are busy"):
            await db.autocommit(quick)
        release.set()
        await holder
        assert await db.autocommit(quick) == 1  # the gate's permit came back
    finally:
        await db.dispose()
