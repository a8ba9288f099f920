"""A connection of its own that LISTENs on a channel: the caches and workers that PostgreSQL's
NOTIFY wakes (at the commit of what they watch) each hold one, outside the pool, since a
pooled connection's listeners would go with its next user."""

from collections.abc import Callable
from typing import Any

import asyncpg


def asyncpg_dsn(database_url: str) -> str:
    """The driver's own DSN for a database URL: the same URL without SQLAlchemy's `+driver` in
    its scheme (`postgresql+asyncpg://...` becomes `postgresql://...`; asyncpg, like libpq,
    takes `postgresql://` and `postgres://`). A string operation rather than SQLAlchemy's URL
    object, so that `grimoire server`'s start can check the schema before the SQL layer is
    loaded."""
    scheme, separator, rest = database_url.partition("://")
    return f"{scheme.partition('+')[0]}{separator}{rest}"


async def listening_connection(
    dsn: str,
    channel: str,
    application_name: str,
    notified: Callable[..., Any],
    lost: Callable[[asyncpg.Connection], Any],
) -> asyncpg.Connection:
    """Connected and listening, with `lost` called when the connection ends; raises what
    connecting raises (the caller decides whether to poll instead)."""
    conn = await asyncpg.connect(
        dsn, timeout=5, server_settings={"application_name": application_name}
    )
    try:
        conn.add_termination_listener(lost)
        await conn.add_listener(channel, notified)
    except BaseException:
        conn.terminate()
        raise
    return conn
