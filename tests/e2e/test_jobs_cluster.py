"""The jobs flow on a real cluster with Kueue installed: the Job created suspended in its
LocalQueue, adopted on a retried submit, cancelled with background propagation. Runs only
when KUBECONFIG points at a cluster (no API server can run on the CI machines) and
GRIMOIRE_TEST_NAMESPACE names a namespace with a Kueue LocalQueue (GRIMOIRE_TEST_LOCAL_QUEUE,
default `default`) the kubeconfig's user may create Jobs and Secrets in."""

import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.jobs.names import job_name, secret_name
from tests.fixtures.servers import RunningServer, start_server, stop_server

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        not (os.environ.get("KUBECONFIG") and os.environ.get("GRIMOIRE_TEST_NAMESPACE")),
        reason="needs KUBECONFIG and GRIMOIRE_TEST_NAMESPACE (a real cluster with Kueue)",
    ),
]
T, J = "/api/2.0/mlflow", "/api/grimoire/v1/jobs"


def eventually(check, what: str, seconds: float = 120):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(1)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    root: Path = tmp_path_factory.mktemp("jobs-cluster")
    namespace = os.environ["GRIMOIRE_TEST_NAMESPACE"]
    queue = {
        "name": "test",
        "local_queue": os.environ.get("GRIMOIRE_TEST_LOCAL_QUEUE", "default"),
        "namespace": namespace,
        "image": os.environ.get("GRIMOIRE_TEST_JOB_IMAGE", "python:3.11-slim"),
    }
    env = {
        "GRIMOIRE_DATABASE_URL": database_url,
        "GRIMOIRE_ARTIFACTS_ROOT": str(root / "artifacts"),
        "GRIMOIRE_DATA_DIR": str(root),
        "GRIMOIRE_JOBS_KUBECONFIG": os.environ["KUBECONFIG"],
        "GRIMOIRE_JOBS_TRACKING_URI": os.environ.get(
            "GRIMOIRE_TEST_TRACKING_URI", "http://127.0.0.1:1"
        ),
        "GRIMOIRE_JOBS_QUEUES": json.dumps([queue]),
        "GRIMOIRE_JOBS_DEFAULT_QUEUE": "test",
        "GRIMOIRE_JOBS_POD_SERVICE_ACCOUNT": os.environ.get(
            "GRIMOIRE_TEST_POD_SERVICE_ACCOUNT", "default"
        ),
    }
    running = start_server("services.server:app", env, root / "server.log")
    yield running
    stop_server(running)


def test_a_job_is_queued_in_kueue_and_cancel_removes_it(server: RunningServer) -> None:
    from kubernetes import client, config

    config.load_kube_config()
    batch, core = client.BatchV1Api(), client.CoreV1Api()
    namespace = os.environ["GRIMOIRE_TEST_NAMESPACE"]
    api = httpx.Client(base_url=server.url, timeout=30)
    experiment_id = api.post(
        f"{T}/experiments/create", json={"name": f"cluster-{uuid.uuid4().hex[:8]}"}
    ).json()["experiment_id"]
    run_id = api.post(f"{T}/runs/create", json={"experiment_id": experiment_id}).json()["run"][
        "info"
    ]["run_id"]
    api.post(f"{T}/runs/update", json={"run_id": run_id, "status": "SCHEDULED"})
    body = {"run_id": run_id, "source": {"type": "artifact", "path": "code/project.tar.gz"}}
    first = api.post(J, json=body)
    assert first.status_code == 200, first.text
    assert api.post(J, json=body).json() == first.json()  # a retried submit: the same job

    def created():  # type: ignore[no-untyped-def]
        found = batch.list_namespaced_job(namespace, label_selector=f"grimoire.dev/run-id={run_id}")
        return found.items

    (job,) = eventually(created, "the Job exists")
    assert job.metadata.name == job_name(run_id)
    assert job.metadata.labels["kueue.x-k8s.io/queue-name"] == os.environ.get(
        "GRIMOIRE_TEST_LOCAL_QUEUE", "default"
    )
    secret = core.read_namespaced_secret(secret_name(run_id), namespace)
    assert secret.metadata.owner_references[0].uid == job.metadata.uid

    cancelled = api.post(f"{J}/{run_id}/cancel")
    assert cancelled.json()["job"]["state"] == "CANCELLED"
    eventually(lambda: not created(), "the Job is deleted")
    eventually(
        lambda: (
            not core.list_namespaced_pod(
                namespace, label_selector=f"grimoire.dev/run-id={run_id}"
            ).items
        ),
        "its pods are gone (background propagation)",
    )
    info = api.get(f"{T}/runs/get", params={"run_id": run_id}).json()["run"]["info"]
    assert info["status"] == "KILLED"
    api.close()
