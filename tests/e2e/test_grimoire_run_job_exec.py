"""`grimoire job-exec` runs the same flow as a jobs-service pod: the job's environment
variables set, the code fetched from the run's `code/` artifact (logged by `grimoire run
--backend kubernetes` through a real server), a real virtualenv built from the project's
python_env.yaml (pip installs its small dependency; the second job, and `grimoire run
--backend local`, reuse the cached environment) and the user's script logging into the run.
This is the one test that builds a virtualenv; it inherits the test interpreter's packages
(for mlflow) with --system-site-packages."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from mlflow import MlflowClient

from tests.fixtures.jobs_api_double import JobsApiDouble, running_jobs_api
from tests.fixtures.servers import REPO, RunningServer

TRAIN = """
import sys

import mlflow
import tomli_w

epochs = int(sys.argv[sys.argv.index("--epochs") + 1])
with mlflow.start_run():
    mlflow.log_param("tomli_w", tomli_w.__name__)
    for epoch in range(epochs):
        mlflow.log_metric("loss", 1 / (epoch + 1), step=epoch)
print("python", sys.prefix)
"""
FILES = {
    "MLproject": (
        "name: exec\npython_env: python_env.yaml\nentry_points:\n  main:\n"
        "    parameters: {epochs: {type: int, default: 2}}\n"
        "    command: 'python train.py --epochs {epochs}'\n"
    ),
    "python_env.yaml": 'python: "3.11"\ndependencies:\n  - tomli-w==1.2.0\n',
    "train.py": TRAIN,
}


def submit(server: RunningServer, jobs_api: JobsApiDouble, project: Path, *args: str) -> dict:
    """What the CLI sends the jobs service, as the manifest builder would receive it."""
    result = subprocess.run(
        [
            sys.executable, "-m", "services.cli", "run", str(project), "--backend", "kubernetes",
            "--jobs-url", jobs_api.url, "--detach", *args,
        ],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), "MLFLOW_TRACKING_URI": server.url},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return jobs_api.submitted[-1]


def job_exec(
    server: RunningServer, body: dict, cache: Path, workdir: Path, **overrides: str
) -> subprocess.CompletedProcess:
    """The pod's container: `grimoire job-exec` with the env the Job's manifest sets."""
    run = MlflowClient(server.url).get_run(body["run_id"])
    pod_env = {
        "PATH": os.environ["PATH"],
        "HOME": str(workdir),
        "PYTHONPATH": str(REPO),
        "XDG_CACHE_HOME": str(cache),
        "MLFLOW_TRACKING_URI": server.url,
        "MLFLOW_RUN_ID": body["run_id"],
        "MLFLOW_EXPERIMENT_ID": run.info.experiment_id,
        "GRIMOIRE_JOB_SOURCE": json.dumps(body["source"]),
        "GRIMOIRE_JOB_ENTRY_POINT": body["entry_point"],
        "GRIMOIRE_JOB_PARAMETERS": json.dumps(body["parameters"]),
        "GRIMOIRE_JOB_SYSTEM_SITE_PACKAGES": "true",
        **overrides,
    }
    workdir.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "job-exec"],
        cwd=workdir,
        env=pod_env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_job_exec_fetches_the_code_builds_the_environment_once_and_logs_into_the_run(
    server: RunningServer, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name, text in FILES.items():
        (project / name).write_text(text)
    cache = tmp_path / "cache"
    experiment = f"exec-{uuid.uuid4().hex[:8]}"
    client = MlflowClient(server.url)
    with running_jobs_api() as jobs_api:
        first = submit(server, jobs_api, project, "--experiment-name", experiment, "-P", "epochs=3")
        second = submit(server, jobs_api, project, "--experiment-name", experiment)
        broken = submit(server, jobs_api, project, "--experiment-name", experiment)

    built = job_exec(server, first, cache, tmp_path / "pod1")
    assert built.returncode == 0, built.stderr
    (environment,) = (cache / "grimoire" / "envs").glob("*/grimoire-env.json")
    assert f"environment built: {environment.parent}" in built.stderr
    assert "installing 1 dependencies" in built.stderr
    # The script ran in the built virtualenv, not on the test interpreter.
    assert f"python {environment.parent}" in built.stdout
    run = client.get_run(first["run_id"])
    assert run.data.params == {"epochs": "3", "tomli_w": "tomli_w"}
    history = client.get_metric_history(first["run_id"], "loss")
    assert [(m.step, m.value) for m in history] == [(0, 1.0), (1, 0.5), (2, 1 / 3)]
    # job-exec leaves ending the run to the reconciler; the script's start_run ended it.
    assert run.info.status == "FINISHED"

    reused = job_exec(server, second, cache, tmp_path / "pod2")
    assert reused.returncode == 0, reused.stderr
    assert f"environment reused: {environment.parent}" in reused.stderr
    assert "installing" not in reused.stderr
    assert len(client.get_metric_history(second["run_id"], "loss")) == 2

    # The local backend builds with the same cache, so it reuses the pod's environment too.
    local = subprocess.run(
        [
            sys.executable, "-m", "services.cli", "run", str(project), "--system-site-packages",
            "--experiment-name", experiment, "-P", "epochs=1",
        ],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO), "MLFLOW_TRACKING_URI": server.url,
             "XDG_CACHE_HOME": str(cache)},
    )  # fmt: skip
    assert local.returncode == 0, local.stderr
    assert f"environment reused: {environment.parent}" in local.stderr
    assert f"python {environment.parent}" in local.stdout

    refused = job_exec(
        server, broken, cache, tmp_path / "pod3", GRIMOIRE_JOB_PARAMETERS='{"epochs": "many"}'
    )
    assert refused.returncode == 2
    assert "'epochs' is an int; 'many' is not a whole number" in refused.stderr
    assert (
        "is not a whole number" in client.get_run(broken["run_id"]).data.tags["grimoire.job.error"]
    )
