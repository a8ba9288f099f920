"""FastTrackML 0.6.0 (the Go rewrite of the MLflow tracking server) as the speed anchor: its
own virtualenv under the bench's cache dir, its own database of the same PostgreSQL."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from common import log
from postgres import execute
from targets import Target, free_port, wait_ready

VERSION = "0.6.0"
# A search filter with thousands of ANDs once made FastTrackML run a join that grew one
# PostgreSQL backend to 23 GB and restarted the whole shared cluster (INFRA.md): every
# statement on its database is bounded.
STATEMENT_TIMEOUT = "60s"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("GRIMOIRE_BENCH_CACHE", Path(base) / "grimoire-bench"))


def fml_binary() -> Path:
    """The `fml` binary of `pip install fasttrackml==VERSION` in a virtualenv of its own
    (it pulls in an mlflow of its own, which must not touch the project's)."""
    venv = cache_dir() / f"fasttrackml-{VERSION}"
    fml = venv / "bin" / "fml"
    if not fml.exists():
        log(f"installing fasttrackml {VERSION} into {venv} (a few minutes, once)")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", f"fasttrackml=={VERSION}"], check=True
        )
    return fml


def start_fasttrackml(database_url: str, workdir: Path) -> tuple[Target, float]:
    """`fml server` on a fresh database (it migrates its own schema at start). One process;
    Go schedules it on both cores, so it has no worker count."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    asyncio.run(
        execute(
            database_url,
            f"ALTER DATABASE \"{url.database}\" SET statement_timeout = '{STATEMENT_TIMEOUT}'",
        )
    )
    uri = (
        f"postgres://{url.username or 'postgres'}:{url.password or ''}@{url.host or '127.0.0.1'}"
        f":{url.port or 5432}/{url.database}?sslmode=disable"
    )
    port = free_port()
    log_path = workdir / "fasttrackml.log"
    process = subprocess.Popen(
        [
            str(fml_binary()),
            "server",
            "--listen-address",
            f"127.0.0.1:{port}",
            "--database-uri",
            uri,
            "--default-artifact-root",
            str(workdir / "fasttrackml-artifacts"),
            # Its default (info) logs every request; Grimoire and MLflow log none.
            "--log-level",
            "warning",
        ],
        cwd=workdir,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    target = Target("fasttrackml", f"http://127.0.0.1:{port}", process, log_path, database_url)
    return target, wait_ready(target, "/health", timeout=120)
