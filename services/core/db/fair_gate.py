"""Pooled connections handed out in the order requests asked for them.

The pool's own wait (SQLAlchemy's asyncio queue, behind `wait_for` and the greenlet bridge)
does not keep arrival order: with 40 callers on 2 connections ~15% of calls were served out
of turn, one 74 places late (tests/service/test_pool_fairness.py), and under 256 writers on
a worker's 30 connections a few waited past `pool_timeout` and were answered 503 while the
median waited under a second (docs/benchmarks.md, "Issue 19: the load generator's own
costs, a fair pool wait"). A FIFO semaphore of the pool's size in front of every checkout
keeps the wait in arrival order (asyncio's Semaphore hands a released permit to its first
waiter, and a newcomer queues behind waiters); a permit is returned only after its
connection is back in the pool, so a holder of one always finds a connection.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from services.core.errors import TemporarilyUnavailable

POOL_BUSY = "All database connections are busy; retry shortly."


class FairGate:
    def __init__(self, capacity: int, timeout_seconds: float):
        self.capacity = capacity
        self.timeout_seconds = timeout_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._permits: asyncio.Semaphore | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        # A semaphore belongs to the event loop it first waited in; a Database outlives a
        # loop in tests and command-line tools, so each loop gets its own.
        loop = asyncio.get_running_loop()
        if self._permits is None or loop is not self._loop:
            self._loop, self._permits = loop, asyncio.Semaphore(self.capacity)
        return self._permits

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Wait in line for a permit (503 with Retry-After past the pool's timeout)."""
        permits = self._semaphore()
        try:
            async with asyncio.timeout(self.timeout_seconds):
                await permits.acquire()
            admitted = True
        except TimeoutError:
            admitted = False
        if not admitted:
            # Raised outside the handler: a TimeoutError (an OSError) in its context would
            # read as an unreachable database to the outage check, which would retry.
            raise TemporarilyUnavailable(POOL_BUSY)
        try:
            yield
        finally:
            permits.release()
