"""Starting and stopping servers under test (uvicorn in a subprocess, on real sockets)."""

import asyncio
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

REPO = Path(__file__).resolve().parent.parent
# Webhook settings every server under test gets: a fixed Fernet key, and the tests' local
# receivers (http on loopback) allow-listed, as an operator would for an in-cluster receiver.
WEBHOOK_ENV = {
    "GRIMOIRE_REGISTRY_WEBHOOK_SECRET_KEY": "rPnfZ0m8YzvQ1c6b8Jx3Nq0mE9nYbSGk4r3u2o1l5wA=",
    "GRIMOIRE_REGISTRY_WEBHOOK_ALLOW_HTTP": "true",
    "GRIMOIRE_REGISTRY_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "GRIMOIRE_REGISTRY_WEBHOOK_BACKOFF_SECONDS": "0.2",
    "GRIMOIRE_REGISTRY_WEBHOOK_POLL_SECONDS": "0.1",
}
# Servers under test run without authentication unless a test configures it (test_auth*).
BASE_ENV = {**WEBHOOK_ENV, "GRIMOIRE_AUTH_DISABLED": "true"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen
    log_path: Path
    artifacts_root: Path
    store: str = "local"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(
    app: str, env: dict[str, str], log_path: Path, *, wait: bool = True, port: int | None = None
) -> RunningServer:
    port = port or free_port()
    log_file = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=REPO,
        env={**os.environ, **BASE_ENV, **env},
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    root = env.get("GRIMOIRE_ARTIFACTS_ROOT", ".")
    server = RunningServer(
        f"http://127.0.0.1:{port}",
        process,
        log_path,
        Path(root),
        "s3" if root.startswith("s3://") else "local",
    )
    if wait:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{server.log()}")
            try:
                if httpx.get(f"{server.url}/ready", timeout=1).status_code == 200:
                    return server
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        process.kill()
        raise RuntimeError(f"server not ready in 30 s:\n{server.log()}")
    return server


def stop_server(server: RunningServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


def sql(database_url: str, query: str, *args: object) -> list[asyncpg.Record]:
    """Rows of one statement on the test database, straight through the driver: to read what
    a server stored, or to set up what only an import or an operator could."""

    async def fetch() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()

    return asyncio.run(fetch())
