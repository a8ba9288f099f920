"""`grimoire server` with a cluster (the fake API server, tests/fixtures/fake_kube.py) end to
end over HTTP: a job submitted through the API is created in the cluster, its run follows the
cluster's states, its log is followed live while the pod writes it and is kept among the
run's artifacts when the job ends."""

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.jobs.names import job_name
from tests.fixtures.fake_kube import FakeKube, FakeKubeServer
from tests.fixtures.servers import RunningServer, start_server, stop_server

T, J = "/api/2.0/mlflow", "/api/grimoire/v1/jobs"
NAMESPACE = "ml-flow"


def eventually(check: Callable[[], Any], what: str, seconds: float = 60) -> Any:
    """Poll until `check` returns something truthy: the loops run on their own clock."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture(scope="module")
def cluster() -> Iterator[FakeKube]:
    with FakeKubeServer() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(
    database_url: str, cluster: FakeKube, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    root = tmp_path_factory.mktemp("jobs-flow")
    queues = [
        {
            "name": "gpu",
            "local_queue": "gpu",
            "namespace": NAMESPACE,
            "gpu_types": {"a100": {"cloud.google.com/gke-accelerator": "nvidia-tesla-a100"}},
            "max_gpus": 2,
            "image": "registry.test/train:1",
        }
    ]
    env = {
        "GRIMOIRE_DATABASE_URL": database_url,
        "GRIMOIRE_ARTIFACTS_ROOT": str(root / "artifacts"),
        "GRIMOIRE_DATA_DIR": str(root),
        "GRIMOIRE_JOBS_KUBECONFIG": str(cluster.kubeconfig(Path(root))),
        "GRIMOIRE_JOBS_TRACKING_URI": "http://grimoire.test:5000",
        "GRIMOIRE_JOBS_QUEUES": json.dumps(queues),
        "GRIMOIRE_JOBS_DEFAULT_QUEUE": "gpu",
        "GRIMOIRE_JOBS_RECONCILE_SECONDS": "0.2",
        "GRIMOIRE_JOBS_WATCH_SECONDS": "2",
    }
    running = start_server("services.server:app", env, root / "server.log")
    yield running
    stop_server(running)


def test_a_job_runs_in_the_cluster_and_its_log_is_followed_and_kept(
    server: RunningServer, cluster: FakeKube
) -> None:
    api = httpx.Client(base_url=server.url, timeout=30)
    experiment = api.post(f"{T}/experiments/create", json={"name": f"flow-{uuid.uuid4().hex[:8]}"})
    experiment_id = experiment.json()["experiment_id"]
    run = api.post(f"{T}/runs/create", json={"experiment_id": experiment_id}).json()["run"]["info"]
    run_id = run["run_id"]
    api.post(f"{T}/runs/update", json={"run_id": run_id, "status": "SCHEDULED"})
    body = {
        "run_id": run_id,
        "source": {"type": "artifact", "path": "code/project.tar.gz"},
        "parameters": {"alpha": "0.4"},
        "resources": {"gpus": 1, "gpu_type": "a100"},
    }
    submitted = api.post(J, json=body)
    assert submitted.status_code == 200, submitted.text
    name = job_name(run_id)

    def run_status() -> str:
        return str(
            api.get(f"{T}/runs/get", params={"run_id": run_id}).json()["run"]["info"]["status"]
        )

    def job_state() -> str:
        return str(api.get(f"{J}/{run_id}").json()["job"]["state"])

    created = eventually(lambda: cluster.get("Job", NAMESPACE, name), "the Job is created")
    env = {
        e["name"]: e.get("value")
        for e in created["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert (env["MLFLOW_RUN_ID"], env["MLFLOW_EXPERIMENT_ID"]) == (run_id, experiment_id)
    assert env["MLFLOW_TRACKING_URI"] == "http://grimoire.test:5000"

    cluster.admit(NAMESPACE, name)
    pod = cluster.start_pod(NAMESPACE, name, log="epoch 1 mse=0.5\n")
    eventually(lambda: run_status() == "RUNNING", "the run is RUNNING")

    followed: list[bytes] = []
    ended = threading.Event()

    def follow() -> None:
        with httpx.stream(
            "GET", f"{server.url}{J}/{run_id}/logs", params={"follow": "true"}, timeout=60
        ) as response:
            assert response.headers["content-type"].startswith("text/plain")
            for chunk in response.iter_bytes():
                followed.append(chunk)
        ended.set()

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    eventually(lambda: b"".join(followed) == b"epoch 1 mse=0.5\n", "the log so far is streamed")
    assert not ended.is_set()  # following: the stream stays open while the job runs
    cluster.append_log(NAMESPACE, pod, "epoch 2 mse=0.25\n")
    eventually(lambda: b"epoch 2" in b"".join(followed), "a new line arrives on the open stream")
    cluster.finish(NAMESPACE, name, succeeded=True)
    eventually(ended.is_set, "the stream ends with the job")
    assert b"".join(followed) == b"epoch 1 mse=0.5\nepoch 2 mse=0.25\n"

    eventually(lambda: job_state() == "SUCCEEDED", "the job succeeds")
    assert run_status() == "FINISHED"
    listed = api.get(f"{T}/artifacts/list", params={"run_id": run_id, "path": "logs"}).json()
    assert [f["path"] for f in listed["files"]] == [f"logs/{pod}.log"]
    kept = api.get(
        f"/api/2.0/mlflow-artifacts/artifacts/{experiment_id}/{run_id}/artifacts/logs/{pod}.log"
    )
    assert kept.text == "epoch 1 mse=0.5\nepoch 2 mse=0.25\n"
    assert api.get(f"{J}/{run_id}/logs").text == kept.text  # after the end: the kept copy
    api.close()
