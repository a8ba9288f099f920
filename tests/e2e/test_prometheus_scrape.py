"""A real Prometheus (Debian's binary) scrapes a running Grimoire every second, and its HTTP
API answers with what the server counted."""

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.scrape import samples, value
from tests.fixtures.servers import RunningServer, free_port

API = "/api/2.0/mlflow"


@pytest.fixture
def prometheus(server: RunningServer, tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus is required (.ci/run installs Debian's prometheus)")
    target = server.url.removeprefix("http://")
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        f"  - job_name: grimoire\n    static_configs: [{{targets: ['{target}']}}]\n"
    )
    port = free_port()
    log = tmp_path / "prometheus.log"
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def query(prometheus: str, promql: str) -> list[dict]:
    answer = httpx.get(f"{prometheus}/api/v1/query", params={"query": promql}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["result"]


def test_prometheus_scrapes_what_the_server_counted(
    server: RunningServer, api: httpx.Client, prometheus: str
) -> None:
    run_id = api.post(f"{API}/runs/create", json={"experiment_id": "0"}).json()["run"]["info"][
        "run_id"
    ]
    points = [{"key": "loss", "value": 0.1 * n, "timestamp": 1, "step": n} for n in range(5)]
    assert api.post(f"{API}/runs/log-batch", json={"run_id": run_id, "metrics": points}).is_success
    counted = value(samples(server.url), "grimoire_metric_points_logged_total")
    promql = 'grimoire_metric_points_logged_total{job="grimoire"}'
    deadline = time.monotonic() + 30
    while True:
        result = query(prometheus, promql)
        if result and float(result[0]["value"][1]) == counted:
            break
        assert time.monotonic() < deadline, result
        time.sleep(0.5)
    assert query(prometheus, 'up{job="grimoire"}')[0]["value"][1] == "1"
    route = query(prometheus, f'grimoire_http_requests_total{{route="{API}/runs/log-batch"}}')
    assert route and route[0]["metric"]["service"] == "tracking"
