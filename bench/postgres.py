"""The PostgreSQL the servers are measured on: the one on 127.0.0.1:5432 when it answers,
else an embedded pgserver; a fresh database per server."""

import asyncio
import os
from pathlib import Path

import asyncpg

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


async def execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def scalar(url: str, sql: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def settle(database_url: str) -> None:
    """VACUUM ANALYZE after seeding: what autovacuum does on its own within a minute of a bulk
    insert (its insert threshold), so each server is measured on the database a team's server
    has, not on one seconds old whose index-only scans still visit the heap."""
    asyncio.run(execute(database_url, "VACUUM ANALYZE"))


def postgres_admin_url(workdir: Path) -> str:
    try:
        asyncio.run(execute(LOCAL_POSTGRES, "SELECT 1"))
        return LOCAL_POSTGRES
    except (OSError, asyncpg.PostgresError):
        import pgserver

        return pgserver.get_server(workdir / "pg", cleanup_mode="stop").get_uri()


def per_run(name: str) -> str:
    """`name` made this run's own. Several engineers' benchmarks share one PostgreSQL, and
    `fresh_database` drops its database WITH (FORCE): under a fixed name, one run's start cut
    another's server off its database mid-measurement (2026-12-03: the 256-client W1 row got
    an HTTP 500 from a database recreated empty under it)."""
    return f"{name}_{os.getpid()}"


def drop_database(admin_url: str, name: str) -> None:
    asyncio.run(execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def fresh_database(admin_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    drop_database(admin_url, name)
    asyncio.run(execute(admin_url, f'CREATE DATABASE "{name}"'))
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)
