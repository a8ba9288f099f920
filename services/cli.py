"""The `grimoire` command."""

import asyncio
import os
import shutil
import sys
from pathlib import Path

import click
from rich.console import Console

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
def server(
    host: str,
    port: int,
    workers: int,
    data_dir: Path,
    database_url: str | None,
    artifacts_root: str | None,
) -> None:
    """Start every service in one process on this machine."""
    import uvicorn

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


if __name__ == "__main__":
    sys.exit(main())
