"""`grimoire server`: every service in one process on this machine."""

import asyncio
import multiprocessing
import os
import shutil
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click

from services.cli.console import console
from services.cli.settings_options import setting_option
from services.core.config import (
    ArtifactSettings,
    DatabaseSettings,
    GrimoireSettings,
    ServerSettings,
)


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


def _upgrade(database_url: str) -> tuple[str | None, str | None]:
    """Migrate, unless the schema is already at head: the usual start (a laptop's second, a
    replica's after the Helm Job) learns that from one SELECT instead of loading alembic and
    its migration environment, which took ~0.9 s of the critical path (docs/benchmarks.md).
    Two servers starting at once on an old schema both migrate, one after the other under
    upgrade's advisory lock; the second finds nothing to do."""
    from services.core.db.notifications import asyncpg_dsn
    from services.core.db.schema_version import head_revision, stamped_revision

    current = asyncio.run(stamped_revision(asyncpg_dsn(database_url)))
    if current == head_revision():
        return current, current
    from services.core.db.migrate import upgrade

    return asyncio.run(upgrade(database_url))


def _upgrade_in_a_child(database_url: str) -> tuple[str | None, str | None]:
    """Migrate from a short-lived child process. The parent only supervises the workers for
    the server's whole life; had it imported alembic and SQLAlchemy to migrate, it would
    hold ~37 MiB for nothing (89 -> 52 MiB measured, docs/benchmarks.md). A fork on Linux
    costs no interpreter start; elsewhere fork is unsafe with system frameworks."""
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as child:
        return child.submit(_upgrade, database_url).result()


def _exit_cleanly_on_sigterm() -> None:
    """SIGTERM (docker stop, a Kubernetes rollout) ends the server as Ctrl-C does. uvicorn
    drains in-flight requests, then raises the signal it caught again; left at its default
    that kills the process before exit handlers run, orphaning the embedded PostgreSQL."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))


@click.command()
@setting_option(ServerSettings, "host")
@setting_option(ServerSettings, "port")
@setting_option(ServerSettings, "workers")
@setting_option(ServerSettings, "graceful_shutdown_seconds")
@setting_option(GrimoireSettings, "data_dir")
@setting_option(DatabaseSettings, "url", "--database-url")
@setting_option(ArtifactSettings, "root", "--artifacts-root")
@click.option(
    "--allow-remote-without-auth",
    is_flag=True,
    help="Serve a non-loopback address with no identity provider configured (never in production).",
)
def server(
    host: str,
    port: int,
    workers: int,
    graceful_shutdown_seconds: int,
    data_dir: Path,
    database_url: str | None,
    artifacts_root: str | None,
    allow_remote_without_auth: bool,
) -> None:
    """Start every service in one process on this machine."""
    import uvicorn

    _exit_cleanly_on_sigterm()
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
    before, after = _upgrade_in_a_child(database_url)
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
        timeout_graceful_shutdown=graceful_shutdown_seconds,
        # Longer than load balancers' idle timeouts (60 s), so the server never closes a
        # keep-alive connection a client is about to reuse.
        timeout_keep_alive=65,
        # Do not advertise the server software (and spare every client a header to parse).
        server_header=False,
    )
