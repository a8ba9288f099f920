"""`grimoire server` on its embedded defaults (the README's first command), and a database
restart absorbed inside the server."""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from mlflow import MlflowClient

from services.core.db.migrate import upgrade
from tests.fixtures.servers import REPO, free_port, start_server, stop_server

API = "/api/2.0/mlflow"


def start_grimoire(data_dir: Path, port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIMOIRE_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "services.cli",
            "server",
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        cwd=REPO,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError(log.read_text())


def stop_grimoire(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def test_grimoire_server_embedded_defaults_persist_across_restarts(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_grimoire(data_dir, port, tmp_path / "first.log")
    try:
        assert f"MLFLOW_TRACKING_URI={url}" in (tmp_path / "first.log").read_text()
        client = MlflowClient(tracking_uri=url)
        experiment_id = client.create_experiment("persisted")
        run_id = client.create_run(experiment_id).info.run_id
        client.log_metric(run_id, "loss", 0.5, step=1)
        metrics = httpx.get(f"{url}/metrics").text
        assert 'route="/api/2.0/mlflow/runs/log-metric"' in metrics
    finally:
        stop_grimoire(process)
    assert (data_dir / "postgres").is_dir()

    process = start_grimoire(data_dir, port, tmp_path / "second.log")
    try:
        client = MlflowClient(tracking_uri=url)
        assert client.get_run(run_id).data.metrics == {"loss": 0.5}
        assert "migrated" not in (tmp_path / "second.log").read_text()
    finally:
        stop_grimoire(process)


def test_database_restart_is_absorbed_inside_the_server(tmp_path: Path) -> None:
    import pgserver

    pgdata = tmp_path / "pg"
    database = pgserver.get_server(pgdata, cleanup_mode="stop")
    database_url = database.get_uri()
    asyncio.run(upgrade(database_url))
    env = {
        "GRIMOIRE_DATABASE_URL": database_url,
        "GRIMOIRE_ARTIFACTS_ROOT": str(tmp_path / "artifacts"),
        "GRIMOIRE_DATABASE_OUTAGE_RETRY_SECONDS": "10",
    }
    server = start_server("services.tracking.main:app", env, tmp_path / "server.log")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as api:
            run = api.post(f"{API}/runs/create", json={"experiment_id": "0"}).json()["run"]
            run_id = run["info"]["run_id"]
            restarted = threading.Event()

            def restart_database() -> None:
                time.sleep(0.5)
                database.cleanup()  # stops PostgreSQL
                time.sleep(0.5)
                pgserver.get_server(pgdata, cleanup_mode="stop")
                restarted.set()

            threading.Thread(target=restart_database).start()
            statuses = []
            step = 0
            while not restarted.is_set() or step < 40:
                batch = {
                    "run_id": run_id,
                    "metrics": [{"key": "m", "value": step, "timestamp": step, "step": step}],
                }
                statuses.append(api.post(f"{API}/runs/log-batch", json=batch).status_code)
                step += 1
                time.sleep(0.02)
            retries = next(
                float(line.split()[-1])
                for line in api.get("/metrics").text.splitlines()
                if line.startswith("grimoire_db_outage_retries_total")
            )
            history = api.get(
                f"{API}/metrics/get-history", params={"run_id": run_id, "metric_key": "m"}
            ).json()["metrics"]
        assert retries > 0  # the outage really hit requests, and they were absorbed
        assert set(statuses) == {200}, statuses
        assert sorted(p["step"] for p in history) == list(range(step))
    finally:
        stop_server(server)
        pgserver.get_server(pgdata, cleanup_mode="stop").cleanup()
