"""Pooled connections handed out in the order requests asked for them.

The pool's own wait (SQLAlchemy's asyncio queue) is not first come, first served: a
connection put back goes to whoever asks next, even a request that arrived after the ones
already waiting, and a waiter woken for a connection that was taken meanwhile goes to the
back of the line. Under more clients than connections (256 writers on a worker's 30) the
median waited well under a second while a few waited past `pool_timeout` and were answered
503 (docs/benchmarks.md, "Issue 19: the load generator's own costs, and a fair pool wait").
A FIFO semaphore of the pool's size in front of every checkout keeps the wait in arrival
order (asyncio's Semaphore hands a released permit to its first waiter, and a newcomer
queues behind waiters), so each request waits about as long as the queue ahead of it takes.
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
        self._permits = asyncio.Semaphore(capacity)

    def _semaphore(self) -> asyncio.Semaphore:
        # A semaphore belongs to the event loop it first waited in; a Database outlives a
        # loop in tests and command-line tools, so each loop gets its own.
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
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
