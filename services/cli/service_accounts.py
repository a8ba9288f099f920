"""`grimoire service-account`: accounts for pipelines."""

import asyncio

import click

from services.cli.api_client import call_api
from services.cli.console import console
from services.cli.settings_options import setting_option
from services.core.config import DatabaseSettings


@click.group("service-account")
def service_account() -> None:
    """Service accounts for pipelines."""


@service_account.command("create")
@click.argument("name")
@click.option("--group", "groups", multiple=True, help="Group membership (repeatable).")
@setting_option(
    DatabaseSettings,
    "url",
    "--database-url",
    help="Bootstrap: write straight to the database (before any admin can sign in) and print "
    "a token.",
)
def service_account_create(name: str, groups: tuple[str, ...], database_url: str | None) -> None:
    """Create a service account (with --database-url: bootstrap it and print its first token)."""
    if database_url is None:
        call_api(
            "POST",
            "/api/2.0/grimoire/service-accounts",
            json={"name": name, "groups": list(groups)},
        )
        console.print(f"created service:{name}")
        return
    from services.core.auth import management
    from services.core.db.engine import Database, create_engine

    async def bootstrap() -> str:
        settings = DatabaseSettings()
        db = Database(create_engine(database_url, settings, "grimoire-cli"), settings)
        try:
            await management.create_service_account(db, "cli-bootstrap", name, list(groups))
            return (await management.service_account_token(db, name, "bootstrap", None))["token"]
        finally:
            await db.dispose()

    console.print(f"created service:{name}; its token (shown once):")
    click.echo(asyncio.run(bootstrap()))
