"""`grimoire db`: schema commands."""

import asyncio

import click

from services.cli.console import console
from services.cli.settings_options import setting_option
from services.core.config import DatabaseSettings


@click.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@setting_option(
    DatabaseSettings,
    "url",
    "--database-url",
    required=True,
    help="The PostgreSQL to migrate (postgresql://user:pass@host:5432/db).",
)
def db_upgrade(database_url: str) -> None:
    """Migrate the schema to head under an advisory lock (safe from several replicas)."""
    from services.core.db.migrate import upgrade

    before, after = asyncio.run(upgrade(database_url))
    console.print(f"schema: {before or 'empty'} -> {after}")
