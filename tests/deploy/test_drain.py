"""A rolling restart under load loses no request: `grimoire server` drains in-flight requests
on SIGTERM while a second replica takes the new ones.

The test plays Kubernetes: clients go wherever the "Service" points; the old replica is taken
out of it first (the preStop pause lets routing settle), then gets SIGTERM while slow uploads
are still streaming into it. Every request must succeed, every upload must be stored whole,
and the old replica must refuse new connections and exit cleanly once drained.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.fixtures.servers import REPO, WEBHOOK_ENV, free_port

API = "/api/2.0/mlflow"
CHUNK = b"g" * 65536
SLOW_CHUNKS = 40  # ~3 s per upload at the pace below, so SIGTERM lands mid-body


def start_grimoire(
    database_url: str, artifacts: Path, data_dir: Path, workers: int
) -> tuple[str, subprocess.Popen]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIMOIRE_")}
    log = data_dir / f"server-{port}.log"
    data_dir.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "services.cli", "server", "--port", str(port)),
            *("--workers", str(workers), "--graceful-shutdown-seconds", "20"),
            *("--database-url", database_url, "--artifacts-root", str(artifacts)),
            *("--data-dir", str(data_dir)),
        ],
        cwd=REPO,
        # Replicas share the webhook key, as the chart's Secret makes them.
        env={**env, **WEBHOOK_ENV},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return url, process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError(log.read_text())


@dataclass
class Balancer:
    """Where the Service routes new requests, and what every request ended as."""

    target: str
    stop: threading.Event = field(default_factory=threading.Event)
    succeeded: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def steady_load(balancer: Balancer, run_id: str) -> None:
    step = 0
    with httpx.Client(timeout=30) as client:
        while not balancer.stop.is_set():
            body = {"run_id": run_id, "key": "loss", "value": 0.5, "timestamp": 1, "step": step}
            try:
                response = client.post(f"{balancer.target}{API}/runs/log-metric", json=body)
                outcome = f"{response.status_code} {response.text[:200]}"
                ok = response.status_code == 200
            except httpx.HTTPError as error:
                outcome, ok = repr(error), False
            (balancer.succeeded if ok else balancer.failed).append(outcome)
            step += ok
            time.sleep(0.01)


def slow_body():
    for _ in range(SLOW_CHUNKS):
        time.sleep(0.075)
        yield CHUNK


@dataclass
class SlowUpload:
    url: str
    started: float = 0.0
    finished: float = 0.0
    status: int | str = "not sent"

    def send(self) -> None:
        self.started = time.monotonic()
        try:
            self.status = httpx.put(self.url, content=slow_body(), timeout=60).status_code
        except httpx.HTTPError as error:
            self.status = repr(error)
        self.finished = time.monotonic()


def test_rolling_restart_under_load_loses_no_request(database_url: str, tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"  # one store behind both replicas, like a bucket
    old_url, old = start_grimoire(database_url, artifacts, tmp_path / "old", workers=1)
    new_url, new = start_grimoire(database_url, artifacts, tmp_path / "new", workers=1)
    try:
        experiment = httpx.post(f"{old_url}{API}/experiments/create", json={"name": "drain"})
        experiment_id = experiment.json()["experiment_id"]
        run_ids = [
            httpx.post(f"{old_url}{API}/runs/create", json={"experiment_id": experiment_id}).json()[
                "run"
            ]["info"]["run_id"]
            for _ in range(4)
        ]
        balancer = Balancer(target=old_url)
        clients = [threading.Thread(target=steady_load, args=(balancer, r)) for r in run_ids]
        for thread in clients:
            thread.start()
        time.sleep(1.0)

        store = f"/api/2.0/mlflow-artifacts/artifacts/{experiment_id}/{run_ids[0]}/artifacts"
        uploads = [SlowUpload(f"{old_url}{store}/slow-{i}.bin") for i in range(3)]
        senders = [threading.Thread(target=upload.send) for upload in uploads]
        for thread in senders:
            thread.start()
        time.sleep(0.5)
        balancer.target = new_url  # endpoints updated: new requests go to the new replica
        time.sleep(0.5)  # the preStop pause
        terminated = time.monotonic()
        old.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        try:
            httpx.get(f"{old_url}/health", timeout=1)
            refused = False
        except httpx.ConnectError:
            refused = True
        for thread in senders:
            thread.join(timeout=60)
        old_exit = old.wait(timeout=30)
        drained = time.monotonic()
        time.sleep(1.0)  # the new replica keeps serving the steady load alone
        balancer.stop.set()
        for thread in clients:
            thread.join(timeout=30)

        assert balancer.failed == []
        assert refused, "the draining replica still accepted a new connection"
        for upload in uploads:
            assert upload.status == 200, upload.status
            assert upload.started < terminated < upload.finished, "not in flight at SIGTERM"
            stored = httpx.get(upload.url.replace(old_url, new_url), timeout=30)
            assert stored.content == CHUNK * SLOW_CHUNKS
        assert old_exit == 0, next((tmp_path / "old").glob("server-*.log")).read_text()
        assert drained - terminated < 20, "the drain ran into its timeout"
        # Every answered log-metric is stored: nothing was acknowledged and then lost.
        points = 0
        for run_id in run_ids:
            history = httpx.get(
                f"{new_url}{API}/metrics/get-history",
                params={"run_id": run_id, "metric_key": "loss", "max_results": 25000},
            ).json()
            points += len(history.get("metrics", []))
        assert points == len(balancer.succeeded)
    finally:
        for process in (old, new):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
