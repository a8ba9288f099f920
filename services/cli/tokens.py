"""`grimoire token`: personal access tokens."""

import click

from services.cli.api_client import call_api
from services.cli.console import console


def _days(expires: str | None) -> float | None:
    """30d, 12h, 90m -> days."""
    if not expires:
        return None
    units = {"d": 1.0, "h": 1 / 24, "m": 1 / 1440}
    if expires[-1] not in units or not expires[:-1].replace(".", "", 1).isdigit():
        raise click.BadParameter("use a number and d, h or m, e.g. 30d")
    return float(expires[:-1]) * units[expires[-1]]


@click.group()
def token() -> None:
    """Personal access tokens (for MLFLOW_TRACKING_TOKEN)."""


@token.command("create")
@click.option("--name", default="cli", show_default=True)
@click.option("--expires", help="Lifetime, e.g. 30d, 12h. Default: never.")
@click.option("--service-account", help="Make the token for this service account (admins).")
def token_create(name: str, expires: str | None, service_account: str | None) -> None:
    """Create a token; it is printed once and never again."""
    body = {"name": name, "expires_in_days": _days(expires)}
    path = (
        f"/api/2.0/grimoire/service-accounts/{service_account}/tokens"
        if service_account
        else "/api/2.0/grimoire/tokens"
    )
    created = call_api("POST", path, json=body)["token"]
    console.print(
        f"token id {created['token_id']}, expires {created['expires_at'] or 'never'}; "
        "keep it secret:"
    )
    click.echo(created["token"])


@token.command("list")
@click.option("--all", "everyone", is_flag=True, help="Everyone's tokens (admins).")
def token_list(everyone: bool) -> None:
    for item in call_api("GET", "/api/2.0/grimoire/tokens", params={"all": str(everyone).lower()})[
        "tokens"
    ]:
        state = "revoked" if item["revoked_at"] else "active"
        click.echo(
            f"{item['token_id']}  {item['prefix']}...  {item['name']}  {item['owner']}  {state}"
        )


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    call_api("DELETE", f"/api/2.0/grimoire/tokens/{token_id}")
    console.print(f"revoked {token_id}")
