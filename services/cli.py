"""The `grimoire` command."""

import asyncio
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from services.cli_tables import policy, routes

console = Console(stderr=True)


def _export(name: str, value: object | None) -> None:
    """Flags become the same environment variables the services read, so uvicorn's worker
    processes see exactly what the parent was told."""
    if value is not None:
        os.environ[name] = str(value)


def _webhook_key(data_dir: Path) -> str:
    """The key that encrypts webhook secrets at rest, created once per data directory."""
    from cryptography.fernet import Fernet

    path = data_dir / "webhook-secret.key"
    if not path.exists():
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_text().strip()


@click.group()
def main() -> None:
    """Grimoire: ML experiment tracking and model registry that speaks MLflow's protocol."""


@main.command()
@click.option("--host", envvar="GRIMOIRE_SERVER_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="GRIMOIRE_SERVER_PORT", default=5000, show_default=True)
@click.option("--workers", envvar="GRIMOIRE_SERVER_WORKERS", default=0, help="0: one per CPU core.")
@click.option(
    "--data-dir",
    envvar="GRIMOIRE_DATA_DIR",
    type=click.Path(path_type=Path),
    default=Path.home() / ".grimoire",
    show_default=True,
    help="Folder for the embedded PostgreSQL and local artifacts.",
)
@click.option(
    "--database-url",
    envvar="GRIMOIRE_DATABASE_URL",
    help="External PostgreSQL. Unset: an embedded PostgreSQL under --data-dir.",
)
@click.option(
    "--artifacts-root",
    envvar="GRIMOIRE_ARTIFACTS_ROOT",
    help="Local folder or s3://bucket/prefix. Unset: <data-dir>/artifacts.",
)
@click.option(
    "--allow-remote-without-auth",
    is_flag=True,
    help="Serve a non-loopback address with no identity provider configured (never in production).",
)
def server(
    host: str,
    port: int,
    workers: int,
    data_dir: Path,
    database_url: str | None,
    artifacts_root: str | None,
    allow_remote_without_auth: bool,
) -> None:
    """Start every service in one process on this machine."""
    import uvicorn

    if not os.environ.get("GRIMOIRE_AUTH_ISSUER"):
        # The embedded default for one person on a laptop: no identity provider, so no
        # authentication, and therefore only on loopback unless explicitly told otherwise.
        if host not in ("127.0.0.1", "localhost", "::1") and not allow_remote_without_auth:
            raise click.UsageError(
                f"No identity provider is configured (GRIMOIRE_AUTH_ISSUER), so authentication "
                f"is off; refusing to listen on {host}. Configure OIDC (docs/auth.md) or pass "
                "--allow-remote-without-auth."
            )
        _export("GRIMOIRE_AUTH_DISABLED", "true")
        console.print(
            "[bold yellow]Authentication is OFF[/] (no GRIMOIRE_AUTH_ISSUER): anyone who can "
            f"reach {host}:{port} can read and change everything."
        )

    from services.core.db.migrate import upgrade
    from services.core.embedded import start_embedded_postgres

    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    _export("GRIMOIRE_DATA_DIR", data_dir)
    _export("GRIMOIRE_ARTIFACTS_ROOT", artifacts_root)
    if database_url is None:
        with console.status("Starting the embedded PostgreSQL..."):
            database_url = start_embedded_postgres(data_dir)
        console.print(f"Embedded PostgreSQL under {data_dir / 'postgres'}")
    _export("GRIMOIRE_DATABASE_URL", database_url)
    if "GRIMOIRE_REGISTRY_WEBHOOK_SECRET_KEY" not in os.environ:
        _export("GRIMOIRE_REGISTRY_WEBHOOK_SECRET_KEY", _webhook_key(data_dir))
    before, after = asyncio.run(upgrade(database_url))
    if before != after:
        console.print(f"Database schema migrated {before or 'empty'} -> {after}")

    workers = workers or os.cpu_count() or 1
    if workers > 1:
        metrics_dir = data_dir / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir()
        _export("PROMETHEUS_MULTIPROC_DIR", metrics_dir)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    console.print(
        f"[bold green]Grimoire[/] on {url} with {workers} worker(s).\n"
        f"Point MLflow at it:  export MLFLOW_TRACKING_URI={url}"
    )
    uvicorn.run(
        "services.server:app",
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=10,
        # Longer than load balancers' idle timeouts (60 s), so the server never closes a
        # keep-alive connection a client is about to reuse.
        timeout_keep_alive=65,
        # Do not advertise the server software (and spare every client a header to parse).
        server_header=False,
    )


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--database-url", envvar="GRIMOIRE_DATABASE_URL", required=True)
def db_upgrade(database_url: str) -> None:
    """Migrate the schema to head under an advisory lock (safe from several replicas)."""
    from services.core.db.migrate import upgrade

    before, after = asyncio.run(upgrade(database_url))
    console.print(f"schema: {before or 'empty'} -> {after}")


def _api(
    method: str,
    path: str,
    json: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Call this Grimoire's API as the mlflow client would: MLFLOW_TRACKING_URI and
    MLFLOW_TRACKING_TOKEN (or _USERNAME/_PASSWORD with a token as the password)."""
    import httpx

    base = os.environ.get("MLFLOW_TRACKING_URI")
    if not base or not base.startswith("http"):
        raise click.UsageError("Set MLFLOW_TRACKING_URI to the Grimoire server's URL.")
    token = os.environ.get("MLFLOW_TRACKING_TOKEN") or os.environ.get("MLFLOW_TRACKING_PASSWORD")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.request(
        method, base.rstrip("/") + path, headers=headers, timeout=30, json=json, params=params
    )
    body = response.json() if response.content else {}
    if response.status_code >= 400:
        raise click.ClickException(
            f"{response.status_code} {body.get('error_code')}: {body.get('message')}"
        )
    return body


def _days(expires: str | None) -> float | None:
    """30d, 12h, 90m -> days."""
    if not expires:
        return None
    units = {"d": 1.0, "h": 1 / 24, "m": 1 / 1440}
    if expires[-1] not in units or not expires[:-1].replace(".", "", 1).isdigit():
        raise click.BadParameter("use a number and d, h or m, e.g. 30d")
    return float(expires[:-1]) * units[expires[-1]]


@main.group()
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
    created = _api("POST", path, json=body)["token"]
    console.print(
        f"token id {created['token_id']}, expires {created['expires_at'] or 'never'}; "
        "keep it secret:"
    )
    click.echo(created["token"])


@token.command("list")
@click.option("--all", "everyone", is_flag=True, help="Everyone's tokens (admins).")
def token_list(everyone: bool) -> None:
    for item in _api("GET", "/api/2.0/grimoire/tokens", params={"all": str(everyone).lower()})[
        "tokens"
    ]:
        state = "revoked" if item["revoked_at"] else "active"
        click.echo(
            f"{item['token_id']}  {item['prefix']}...  {item['name']}  {item['owner']}  {state}"
        )


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    _api("DELETE", f"/api/2.0/grimoire/tokens/{token_id}")
    console.print(f"revoked {token_id}")


# --option -> the grant's resource_type; at most one is given, none means every resource.
_GRANT_TARGETS = {
    "experiment": "experiment",
    "model": "registered_model",
    "experiment_pattern": "experiment_pattern",
    "model_pattern": "registered_model_pattern",
    "create": "create",
}


def _grant_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(
        [
            click.option("--user"),
            click.option("--group"),
            click.option("--experiment", help="Experiment id."),
            click.option("--model", help="Registered model name."),
            click.option(
                "--experiment-pattern", help="Experiments whose name matches, e.g. 'team-a/*'."
            ),
            click.option("--model-pattern", help="Registered models whose name matches."),
            click.option(
                "--create",
                type=click.Choice(["experiment", "registered_model"]),
                help="The right to create these (and manage one's own), nothing else.",
            ),
        ]
    ):
        command = option(command)
    return command


def _grant_body(user: str | None, group: str | None, **targets: str | None) -> dict:
    if bool(user) == bool(group):
        raise click.UsageError("give exactly one of --user or --group")
    given = [(_GRANT_TARGETS[option], value) for option, value in targets.items() if value]
    if len(given) > 1:
        raise click.UsageError("give at most one resource option")
    resource_type, resource_id = given[0] if given else ("default", "*")
    return {
        "principal_type": "user" if user else "group",
        "principal": user or group,
        "resource_type": resource_type,
        "resource_id": resource_id,
    }


@main.command()
@_grant_options
@click.option("--role", type=click.Choice(["READ", "EDIT", "MANAGE", "ADMIN"]), default=None)
def grant(user: str | None, group: str | None, role: str | None, **targets: str | None) -> None:
    """Grant a role to a user or an IdP group (on every resource unless one is named)."""
    body = _grant_body(user, group, **targets)
    if role is None and body["resource_type"] != "create":
        raise click.UsageError("--role is required")
    body["role"] = role or "EDIT"
    _api("POST", "/api/2.0/grimoire/permissions", json=body)
    console.print(
        f"granted {body['role']} to {body['principal_type']} {body['principal']} "
        f"on {body['resource_type']} {body['resource_id']}"
    )


@main.command()
@_grant_options
def revoke(user: str | None, group: str | None, **targets: str | None) -> None:
    """Revoke a grant."""
    _api("DELETE", "/api/2.0/grimoire/permissions", json=_grant_body(user, group, **targets))
    console.print("revoked")


main.add_command(routes)
main.add_command(policy)


@main.group("service-account")
def service_account() -> None:
    """Service accounts for pipelines."""


@service_account.command("create")
@click.argument("name")
@click.option("--group", "groups", multiple=True, help="Group membership (repeatable).")
@click.option(
    "--database-url",
    envvar="GRIMOIRE_DATABASE_URL",
    help="Bootstrap: write straight to the database (before any admin can sign in) and print "
    "a token.",
)
def service_account_create(name: str, groups: tuple[str, ...], database_url: str | None) -> None:
    """Create a service account (with --database-url: bootstrap it and print its first token)."""
    if database_url is None:
        _api(
            "POST",
            "/api/2.0/grimoire/service-accounts",
            json={"name": name, "groups": list(groups)},
        )
        console.print(f"created service:{name}")
        return
    from services.core.auth import management
    from services.core.config import DatabaseSettings
    from services.core.db.engine import Database, create_engine

    async def bootstrap() -> str:
        settings = DatabaseSettings()
        db = Database(create_engine(database_url, settings, "grimoire-cli"), settings)
        try:
            await db.run(management.create_service_account, "cli-bootstrap", name, list(groups))
            return (await db.run(management.service_account_token, name, "bootstrap", None))[
                "token"
            ]
        finally:
            await db.dispose()

    console.print(f"created service:{name}; its token (shown once):")
    click.echo(asyncio.run(bootstrap()))


if __name__ == "__main__":
    sys.exit(main())
