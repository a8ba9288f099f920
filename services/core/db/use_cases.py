"""A service function declares how it meets the database; every caller then calls it alike.

    @transaction
    async def rename(conn: Connection, body: UpdateExperiment) -> None: ...

    await service.rename(request.app.state.db, body)   # a router: one transaction
    await service.rename.on(conn, body)                 # inside another use case, or a test

The mode is the function's own property, not each call site's choice: `@transaction` for
statements that must agree or commit together (and carry the request's audit entry),
`@autocommit` for reads and one-statement writes (no BEGIN/COMMIT round trips), `@driver`
for a one-statement write sent on the asyncpg connection itself (the plain metric write),
`@search` for a filtered search, whose statements are planned for their own values. The
wrapper keeps the function's signature (`ParamSpec`), so a wrong argument is a type error at
either call.
"""

import functools
from collections.abc import Awaitable, Callable
from typing import Concatenate, Generic, ParamSpec, TypeVar

import asyncpg

from services.core.db.engine import Connection, Database

P = ParamSpec("P")
T = TypeVar("T")
C = TypeVar("C", Connection, asyncpg.Connection)

ServiceFunction = Callable[Concatenate[C, P], Awaitable[T]]


class UseCase(Generic[C, P, T]):
    """A service function and the mode it runs in; see the module's docstring."""

    def __init__(
        self,
        fn: ServiceFunction[C, P, T],
        mode: Callable[..., Awaitable[T]],
    ) -> None:
        self.fn: ServiceFunction[C, P, T] = fn
        self.mode = mode  # Database.transaction, .autocommit, .driver or .search, unbound
        functools.update_wrapper(self, fn)

    def __call__(self, db: Database, /, *args: P.args, **kwargs: P.kwargs) -> Awaitable[T]:
        """Run on a connection of its own, in the declared mode (retried through outages)."""
        return self.mode(db, self.fn, *args, **kwargs)

    def on(self, conn: C, /, *args: P.args, **kwargs: P.kwargs) -> Awaitable[T]:
        """Run on a connection the caller holds, inside whatever it has begun."""
        return self.fn(conn, *args, **kwargs)


def transaction(fn: ServiceFunction[Connection, P, T]) -> UseCase[Connection, P, T]:
    return UseCase(fn, Database.transaction)


def autocommit(fn: ServiceFunction[Connection, P, T]) -> UseCase[Connection, P, T]:
    return UseCase(fn, Database.autocommit)


def driver(
    fn: ServiceFunction[asyncpg.Connection, P, T],
) -> UseCase[asyncpg.Connection, P, T]:
    return UseCase(fn, Database.driver)


def search(fn: ServiceFunction[Connection, P, T]) -> UseCase[Connection, P, T]:
    return UseCase(fn, Database.search)
