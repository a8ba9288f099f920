"""What /metrics tells an operator, read as numbers after real calls: ingest counters,
requests in flight, the database pool, auth refusals, and one sum over several workers."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from services.core.config import DatabaseSettings
from tests.fixtures.auth_stack import AuthStack
from tests.fixtures.scrape import samples, value
from tests.fixtures.servers import BASE_ENV, REPO, RunningServer, free_port

API = "/api/2.0/mlflow"


def test_ingest_counters_count_what_was_logged(server: RunningServer, api: httpx.Client) -> None:
    before = samples(server.url)
    run_id = api.post(f"{API}/runs/create", json={"experiment_id": "0"}).json()["run"]["info"][
        "run_id"
    ]
    batch = {
        "run_id": run_id,
        "metrics": [{"key": "loss", "value": 1 / n, "timestamp": 1, "step": n} for n in (1, 2, 3)],
        "params": [{"key": "lr", "value": "0.1"}, {"key": "depth", "value": "4"}],
    }
    assert api.post(f"{API}/runs/log-batch", json=batch).status_code == 200
    point = {"run_id": run_id, "key": "acc", "value": 0.5, "timestamp": 1, "step": 0}
    assert api.post(f"{API}/runs/log-metric", json=point).status_code == 200
    refused = {"run_id": run_id, "key": "lr", "value": "0.2"}  # a changed param is refused
    assert api.post(f"{API}/runs/log-parameter", json=refused).status_code == 400
    after = samples(server.url)

    def grew(name: str) -> float:
        return value(after, name) - value(before, name)

    assert grew("grimoire_runs_created_total") == 1
    assert grew("grimoire_params_logged_total") == 2
    assert grew("grimoire_metric_points_logged_total") == 4


def test_pool_and_in_flight_gauges(server: RunningServer, api: httpx.Client) -> None:
    before = samples(server.url)
    api.get(f"{API}/experiments/get", params={"experiment_id": "0"})
    after = samples(server.url)
    # The server runs on the defaults, one pool in the process.
    defaults = DatabaseSettings.model_fields
    assert value(after, "grimoire_db_pool_size") == defaults["pool_size"].default
    assert value(after, "grimoire_db_pool_max_overflow") == defaults["max_overflow"].default
    # Nothing holds a connection or waits between requests; the call above was timed.
    assert value(after, "grimoire_db_pool_connections_in_use") == 0
    assert value(after, "grimoire_db_pool_waiting") == 0
    for histogram in ("grimoire_db_pool_wait_seconds", "grimoire_db_call_duration_seconds"):
        histogram += "_count"
        assert value(after, histogram) > value(before, histogram), histogram
    # The scrape itself is not counted (probes and /metrics are not), so nothing is in flight.
    assert after[("grimoire_http_requests_in_flight", (("service", "tracking"),))] == 0


def test_auth_refusals_are_counted_by_reason(auth_stack: AuthStack) -> None:
    url = auth_stack.server.url
    before = samples(url, auth_stack.root_token)
    query = {"experiment_id": "0"}
    assert httpx.get(f"{url}{API}/experiments/get", params=query).status_code == 401
    with auth_stack.api("not-a-real-token") as api:
        assert api.get(f"{API}/experiments/get", params=query).status_code == 401
    after = samples(url, auth_stack.root_token)
    reason = {"reason": "UNAUTHENTICATED"}
    name = "grimoire_auth_failures_total"
    assert value(after, name, **reason) - value(before, name, **reason) == 2


def test_several_workers_add_up_in_every_scrape(database_url: str, tmp_path: Path) -> None:
    """With PROMETHEUS_MULTIPROC_DIR each worker writes its own values and any worker's
    /metrics sums them: whichever worker a scrape lands on, it counts every request."""
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    port = free_port()
    env = {
        **os.environ,
        **BASE_ENV,
        "GRIMOIRE_DATABASE_URL": database_url,
        "GRIMOIRE_ARTIFACTS_ROOT": str(tmp_path / "artifacts"),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    log = tmp_path / "workers.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "services.server:app", "--port", str(port)]
        + ["--workers", "2", "--log-level", "warning"],
        cwd=REPO,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        pids: set[str] = set()
        created = 0
        # New connections, until both workers have served some (the kernel spreads them).
        while len(pids) < 2 or created < 20:
            assert time.monotonic() < deadline, (pids, log.read_text())
            assert process.poll() is None, log.read_text()
            try:
                response = httpx.post(f"{url}{API}/runs/create", json={"experiment_id": "0"})
            except httpx.TransportError:
                time.sleep(0.2)
                continue
            assert response.status_code == 200, response.text
            created += 1
            pids = {p.name.split("_")[-1] for p in metrics_dir.glob("counter_*.db")}
        for _ in range(4):
            assert value(samples(url), "grimoire_runs_created_total") == created
    finally:
        process.terminate()
        process.wait(timeout=30)
