"""The whole jobs loop with nothing doubled but the cluster: a Grimoire server with
authentication on and the jobs service configured against the fake Kubernetes API server
(tests/fixtures/fake_kube.py), the real `grimoire run --backend kubernetes` submitting the
tutorial project over HTTP, and the test playing the pod: it reads the Job the reconciler
created, resolves the token from the Secret the Job references, runs `grimoire job-exec`
with exactly that env, feeds its output to the fake as the pod's log, and ends the Job as
the cluster would. Then it checks what the user sees.

job-exec runs with `GRIMOIRE_JOB_ENV_MANAGER=local` (the test interpreter has mlflow and
scikit-learn): building the tutorial's virtualenv would pip install mlflow, minutes on this
machine; tests/e2e/test_grimoire_run_job_exec.py covers the virtualenv build."""

import base64
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from mlflow import MlflowClient

from services.jobs.names import job_name
from tests.fixtures.auth_stack import (
    ensure_node_modules,
    new_key,
    new_provider,
    server_env,
)
from tests.fixtures.fake_kube import FakeKube, FakeKubeServer
from tests.fixtures.servers import REPO, RunningServer, free_port, start_server, stop_server

NAMESPACE = "ml-e2e"
QUEUES = [
    {
        "name": "gpu",
        "local_queue": "gpu",
        "namespace": NAMESPACE,
        "gpu_types": {"a100": {"cloud.google.com/gke-accelerator": "nvidia-tesla-a100"}},
        "max_gpus": 2,
        "image": "registry.test/train:1",
    }
]


def eventually(check: Callable[[], Any], what: str, seconds: float = 90) -> Any:
    """Poll until `check` returns something truthy: the reconciler runs on its own clock."""
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
def stack(
    database_url: str, cluster: FakeKube, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningServer, str, str]]:
    """A server with auth on and jobs against the fake cluster; an administrator's principal
    and token (the one who submits)."""
    ensure_node_modules()
    root = tmp_path_factory.mktemp("jobs-e2e")
    port = free_port()
    provider = new_provider(root, f"http://127.0.0.1:{port}")
    provider.start([new_key("key-1")])
    account = f"jobs-e2e-{uuid.uuid4().hex[:6]}"
    admin = subprocess.run(
        [
            sys.executable, "-m", "services.cli", "service-account", "create", account,
            "--group", "grimoire-admins", "--database-url", database_url,
        ],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    env = {
        **server_env(database_url, provider, root),
        "GRIMOIRE_DATA_DIR": str(root),
        "GRIMOIRE_JOBS_KUBECONFIG": str(cluster.kubeconfig(root)),
        # The pod reaches the server where the test does: job-exec runs with the Job's env.
        "GRIMOIRE_JOBS_TRACKING_URI": f"http://127.0.0.1:{port}",
        "GRIMOIRE_JOBS_QUEUES": json.dumps(QUEUES),
        "GRIMOIRE_JOBS_DEFAULT_QUEUE": "gpu",
        "GRIMOIRE_JOBS_RECONCILE_SECONDS": "0.2",
        "GRIMOIRE_JOBS_WATCH_SECONDS": "2",
    }
    server = start_server("services.server:app", env, root / "server.log", port=port)
    yield server, f"service:{account}", admin.stdout.strip().splitlines()[-1]
    stop_server(server)
    provider.stop()


def pod_env(job: dict[str, Any], cluster: FakeKube) -> dict[str, str]:
    """The container's env as the kubelet would set it: values, and secretKeyRefs resolved."""
    env: dict[str, str] = {}
    for item in job["spec"]["template"]["spec"]["containers"][0]["env"]:
        if "value" in item:
            env[item["name"]] = item["value"]
            continue
        ref = item["valueFrom"]["secretKeyRef"]
        secret = cluster.get("Secret", NAMESPACE, ref["name"])
        assert secret is not None, f"the Job references Secret {ref['name']}, which is missing"
        if ref["key"] in (secret.get("stringData") or {}):
            env[item["name"]] = secret["stringData"][ref["key"]]
        else:
            env[item["name"]] = base64.b64decode(secret["data"][ref["key"]]).decode()
    return env


def play_pod(cluster: FakeKube, name: str, env: dict[str, str], workdir: Path) -> tuple[int, str]:
    """The pod's container: `grimoire job-exec` with the Job's env; its output is the log.
    Returns its exit code and the pod's name."""
    workdir.mkdir()
    pod = cluster.start_pod(NAMESPACE, name)
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "job-exec"],
        cwd=workdir,
        env={
            **env,
            "PATH": os.environ["PATH"],
            "HOME": str(workdir),
            "PYTHONPATH": str(REPO),
            "GRIMOIRE_JOB_ENV_MANAGER": "local",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        cluster.append_log(NAMESPACE, pod, line)
    return process.wait(timeout=300), pod


@dataclass
class Trained:
    """One `grimoire run --backend kubernetes` of the tutorial, as the user and the pod saw it."""

    run_id: str
    job: str
    env: dict[str, str]
    pod_log: str
    returncode: int
    stdout: str
    stderr: str


def train_on_cluster(
    server: RunningServer, token: str, model_name: str, cluster: FakeKube, workdir: Path
) -> Trained:
    before = {job["metadata"]["name"] for job in cluster.all("Job", NAMESPACE)}
    cli = subprocess.Popen(
        [
            sys.executable, "-m", "services.cli", "run", "examples/tutorial-project",
            "--backend", "kubernetes", "--gpus", "1", "--gpu-type", "a100",
            "--experiment-name", f"e2e-{uuid.uuid4().hex[:8]}",
            "-P", "n_samples=300", "-P", "noise=0.2", "-P", f"model_name={model_name}",
        ],
        cwd=REPO,
        env={
            **os.environ,
            "PYTHONPATH": str(REPO),
            "MLFLOW_TRACKING_URI": server.url,
            "MLFLOW_TRACKING_TOKEN": token,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    output: dict[str, str] = {}

    def collect() -> None:
        output["stdout"], output["stderr"] = cli.communicate(timeout=300)

    def new_job() -> Any:
        made = [j for j in cluster.all("Job", NAMESPACE) if j["metadata"]["name"] not in before]
        return next(iter(made), None) or cli.poll() is not None

    collector = threading.Thread(target=collect, daemon=True)
    collector.start()
    try:
        created = eventually(new_job, "the reconciler creates the Job")
        assert isinstance(created, dict), f"the CLI ended first: {cli.returncode}"
        name = created["metadata"]["name"]
        # The reconciler writes the token's Secret before the Job (whose container requires
        # it), then gives it to the Job; the pod starts from the Job's env.
        secret = cluster.get("Secret", NAMESPACE, f"{name}-token")
        assert secret is not None, "the Secret exists as soon as the Job does"
        env = pod_env(created, cluster)
        run_id = env["MLFLOW_RUN_ID"]
        assert name == job_name(run_id)
        assert env["MLFLOW_TRACKING_TOKEN"], "auth is on: the job's Secret holds its token"

        cluster.admit(NAMESPACE, name)
        exit_code, pod = play_pod(cluster, name, env, workdir)
        cluster.finish(NAMESPACE, name, succeeded=exit_code == 0)
        collector.join(timeout=300)
    finally:
        if cli.poll() is None:
            cli.kill()
    pod_log = cluster.logs[(NAMESPACE, pod)]
    assert exit_code == 0, pod_log
    assert cli.returncode is not None
    return Trained(run_id, name, env, pod_log, cli.returncode, output["stdout"], output["stderr"])


def test_grimoire_run_on_kubernetes_trains_registers_and_keeps_the_log(
    stack: tuple[RunningServer, str, str], cluster: FakeKube, tmp_path: Path
) -> None:
    server, submitter, admin_token = stack
    model_name = f"tutorial-{uuid.uuid4().hex[:8]}"
    trained = train_on_cluster(server, admin_token, model_name, cluster, tmp_path / "pod")
    run_id, name, env, pod_log = trained.run_id, trained.job, trained.env, trained.pod_log

    # What the user sees: exit 0, the run id, then the pod's log, then the job's end.
    assert trained.returncode == 0, trained.stderr
    lines = trained.stdout.splitlines()
    assert lines[0] == run_id
    assert "mse=" in trained.stdout and f"registered as {model_name}" in trained.stdout
    assert "job SUCCEEDED" in trained.stderr

    client = MlflowClient(server.url)
    os.environ["MLFLOW_TRACKING_TOKEN"] = admin_token
    try:
        run = client.get_run(run_id)
        assert run.info.status == "FINISHED"
        assert {k: run.data.params[k] for k in ("n_samples", "noise", "model_name")} == {
            "n_samples": "300",
            "noise": "0.2",
            "model_name": model_name,
        }
        assert run.data.metrics["mse"] >= 0
        assert run.data.tags["grimoire.job.backend"] == "kubernetes"
        (version,) = client.search_model_versions(f"name = '{model_name}'")
        assert (version.version, version.run_id) == ("1", run_id)
        logs = client.list_artifacts(run_id, "logs")
        assert len(logs) == 1 and logs[0].path.startswith(f"logs/{name}")
        kept = Path(client.download_artifacts(run_id, logs[0].path, str(tmp_path)))
        assert kept.read_text() == pod_log
        assert f"registered as {model_name}" in pod_log
    finally:
        del os.environ["MLFLOW_TRACKING_TOKEN"]

    # The job's token worked for the whole job; once it ended it opens nothing.
    with httpx.Client(base_url=server.url, timeout=30) as http:
        as_job = {"Authorization": f"Bearer {env['MLFLOW_TRACKING_TOKEN']}"}
        get = ("/api/2.0/mlflow/runs/get", {"run_id": run_id})
        refused = http.get(get[0], params=get[1], headers=as_job)
        assert refused.status_code == 401, refused.text
        as_admin = {"Authorization": f"Bearer {admin_token}"}
        assert http.get(get[0], params=get[1], headers=as_admin).status_code == 200
        # The model the job registered is the submitter's to manage, not the gone account's.
        on_model = {"resource_type": "registered_model", "resource_id": model_name}
        listed = http.get("/api/2.0/grimoire/permissions", params=on_model, headers=as_admin)
        assert [(g["principal"], g["role"]) for g in listed.json()["grants"]] == [
            (submitter, "MANAGE")
        ], listed.text

    # Re-training into the same model: the second job's token acts for its submitter in the
    # registry (up to EDIT), so it adds version 2 to the model the first job handed over.
    again = train_on_cluster(server, admin_token, model_name, cluster, tmp_path / "pod-2")
    assert again.returncode == 0, again.stderr
    os.environ["MLFLOW_TRACKING_TOKEN"] = admin_token
    try:
        versions = client.search_model_versions(f"name = '{model_name}'")
        assert sorted((v.version, v.run_id) for v in versions) == [
            ("1", run_id),
            ("2", again.run_id),
        ]
    finally:
        del os.environ["MLFLOW_TRACKING_TOKEN"]
