"""The servers under measurement: Grimoire (authentication on) and `mlflow server`, each
started on its own database, watched (CPU, RSS of its process tree) and stopped."""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
from common import REPO


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Target:
    name: str
    url: str
    process: subprocess.Popen
    log_path: Path
    database_url: str
    token: str | None = None
    rss_samples: list[int] = field(default_factory=list)

    def tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def cpu_s(self) -> float:
        """CPU seconds of the server's own processes (not an embedded PostgreSQL)."""
        total = 0.0
        for process in self.tree():
            try:
                if "postgres" not in process.name():
                    times = process.cpu_times()
                    total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    def rss(self) -> int:
        total = 0
        for process in self.tree():
            try:
                # Only the server's own processes: not the embedded PostgreSQL it may own.
                if "postgres" not in process.name():
                    total += process.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total


def wait_ready(target: Target, path: str, timeout: float = 120) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if target.process.poll() is not None:
            raise RuntimeError(f"{target.name} exited:\n{target.log_path.read_text()[-3000:]}")
        try:
            if httpx.get(target.url + path, timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{target.name} not ready after {timeout} s")


# Who the benchmark logs as. A team member (group `bench-team`, default EDIT, MANAGE on the
# experiments it creates) is what users are: each call's role is resolved from grants. An
# administrator's calls are allowed without reading any grant.
CALLER_GROUPS = {"member": "bench-team", "admin": "bench-admins"}


def service_account_token(database_url: str, name: str, group: str) -> str:
    """A token of a new service account in `group`, made straight in the database (as an
    operator bootstraps the first one, before any server runs)."""
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli",
            "service-account",
            "create",
            name,
            "--group",
            group,
            "--database-url",
            database_url,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip().splitlines()[-1]


def grant_team_default(target: "Target", admin_token: str) -> None:
    """The default EDIT grant a team is given, through the running server as an
    administrator gives it (`grimoire grant --group bench-team --role EDIT`)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli",
            "grant",
            "--group",
            CALLER_GROUPS["member"],
            "--role",
            "EDIT",
        ],
        cwd=REPO,
        env={**os.environ, "MLFLOW_TRACKING_URI": target.url, "MLFLOW_TRACKING_TOKEN": admin_token},
        capture_output=True,
        text=True,
        check=True,
    )


def grimoire_process(
    database_url: str,
    workdir: Path,
    port: int,
    workers: int,
    env: dict[str, str],
    repo: Path = REPO,
) -> subprocess.Popen:
    """`grimoire server` of the checkout `repo` on a migrated database, its output in
    workdir/grimoire.log."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "services.cli",
            "server",
            "--database-url",
            database_url,
            "--artifacts-root",
            str(workdir / "grimoire-artifacts"),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=repo,
        env=env,
        stdout=(workdir / "grimoire.log").open("w"),
        stderr=subprocess.STDOUT,
    )


def grimoire_env(workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GRIMOIRE_DATA_DIR": str(workdir / "grimoire-data"),
        # Authentication on: every request carries a token the guard checks (the issuer is
        # only contacted for JWTs, which the benchmark does not send).
        "GRIMOIRE_AUTH_ISSUER": "https://issuer.invalid",
        "GRIMOIRE_AUTH_ADMIN_GROUPS": "bench-admins",
    }


def start_grimoire(
    database_url: str, workdir: Path, workers: int, caller: str = "member"
) -> tuple[Target, float]:
    port = free_port()
    log_path = workdir / "grimoire.log"
    env = grimoire_env(workdir)
    from services.core.db.migrate import upgrade

    asyncio.run(upgrade(database_url))
    admin_token = service_account_token(database_url, "bench-admin", CALLER_GROUPS["admin"])
    token = (
        admin_token
        if caller == "admin"
        else service_account_token(database_url, "bench-member", CALLER_GROUPS["member"])
    )
    process = grimoire_process(database_url, workdir, port, workers, env)
    target = Target(
        "grimoire",
        f"http://127.0.0.1:{port}",
        process,
        log_path,
        database_url,
        token=token,
    )
    ready_s = wait_ready(target, "/ready")
    if caller == "member":
        grant_team_default(target, admin_token)
    return target, ready_s


def start_mlflow(database_url: str, workdir: Path, workers: int) -> tuple[Target, float]:
    from sqlalchemy.engine import make_url

    port = free_port()
    log_path = workdir / "mlflow.log"
    backend = make_url(database_url).set(drivername="postgresql+psycopg")
    mlflow = shutil.which("mlflow") or str(Path(sys.executable).parent / "mlflow")
    process = subprocess.Popen(
        [
            mlflow,
            "server",
            "--backend-store-uri",
            backend.render_as_string(hide_password=False),
            "--artifacts-destination",
            str(workdir / "mlflow-artifacts"),
            "--serve-artifacts",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=workdir,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    target = Target("mlflow", f"http://127.0.0.1:{port}", process, log_path, database_url)
    return target, wait_ready(target, "/health", timeout=180)


def stop(target: Target) -> None:
    for process in reversed(target.tree()):
        try:
            process.send_signal(
                signal.SIGINT if process.pid == target.process.pid else signal.SIGTERM
            )
        except psutil.NoSuchProcess:
            pass
    try:
        target.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        for process in target.tree():
            process.kill()
