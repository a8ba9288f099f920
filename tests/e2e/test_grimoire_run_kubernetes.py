"""`grimoire run --backend kubernetes`, the CLI side: the run is created SCHEDULED on a real
Grimoire server with the job's tags, the project is packed (its .gitignore respected) and
logged as the run's `code/` artifact through the artifact proxy, or a git URI is passed at its
commit; the job is submitted to the jobs API (here a test double of that foreign API, see
tests/fixtures/jobs_api_double.py) and followed until its final state."""

import os
import signal
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from mlflow import MlflowClient

from tests.fixtures.jobs_api_double import JobsApiDouble, running_jobs_api
from tests.fixtures.servers import REPO, RunningServer

PROJECT_FILES = {
    "MLproject": (
        "name: k\nentry_points:\n  main:\n    parameters: {alpha: {type: float, default: 0.5}}\n"
        "    command: 'python train.py --alpha {alpha}'\n"
    ),
    "train.py": "print('training')\n",
    ".gitignore": "data/\n",
    "data/huge.csv": "a,b\n",
}


@pytest.fixture
def jobs_api() -> Iterator[JobsApiDouble]:
    with running_jobs_api() as double:
        yield double


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name, text in PROJECT_FILES.items():
        (tmp_path / "project" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "project" / name).write_text(text)
    return tmp_path / "project"


def command(server: RunningServer, jobs_api: JobsApiDouble, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "services.cli", "run", *args,
        "--backend", "kubernetes", "--jobs-url", jobs_api.url,
    ]  # fmt: skip


def env(server: RunningServer) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "MLFLOW_TRACKING_URI": server.url,
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    }


def grimoire_run(
    server: RunningServer, jobs_api: JobsApiDouble, *args: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        command(server, jobs_api, *args),
        cwd=REPO,
        env=env(server),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_directory_is_packed_logged_as_code_and_the_job_followed(
    server: RunningServer, jobs_api: JobsApiDouble, project: Path
) -> None:
    experiment = f"k8s-{uuid.uuid4().hex[:8]}"
    result = grimoire_run(
        server, jobs_api, str(project), "--experiment-name", experiment, "-P", "alpha=0.4",
        "--gpus", "1", "--gpu-type", "a100", "--queue", "gpu", "--cpu", "4", "--memory", "16Gi",
        "--image", "registry.example/train:1.2", "--timeout", "2h", "--max-retries", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (body,) = jobs_api.submitted
    run_id = body.pop("run_id")
    assert body == {
        "entry_point": "main",
        "parameters": {"alpha": "0.4"},
        "source": {"type": "artifact", "path": "code/project.tar.gz"},
        "image": "registry.example/train:1.2",
        "queue": "gpu",
        "resources": {"gpus": 1, "gpu_type": "a100", "cpu": "4", "memory": "16Gi"},
        "timeout_seconds": 7200,
        "max_retries": 1,
    }
    # The pod's log reached the terminal, the run id went to stdout for scripts.
    assert result.stdout.splitlines() == [run_id, "epoch 1", "epoch 2"]
    assert "job SUCCEEDED" in result.stderr

    client = MlflowClient(server.url)
    run = client.get_run(run_id)
    # The CLI leaves the run to the jobs service's reconciler once it is submitted.
    assert run.info.status == "SCHEDULED"
    assert client.get_experiment(run.info.experiment_id).name == experiment
    assert run.data.params == {"alpha": "0.4"}
    assert {k: v for k, v in run.data.tags.items() if k.startswith(("grimoire.", "mlflow.s"))} == {
        "grimoire.job.backend": "kubernetes",
        "grimoire.job.queue": "gpu",
        "mlflow.source.name": str(project),
        "mlflow.source.type": "PROJECT",
    }
    archive = client.download_artifacts(run_id, "code/project.tar.gz", str(project.parent))
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == [".gitignore", "MLproject", "train.py"]


def test_a_refused_job_fails_the_run_and_says_why(
    server: RunningServer, jobs_api: JobsApiDouble, project: Path
) -> None:
    result = grimoire_run(server, jobs_api, str(project), "--gpus", "8", "--gpu-type", "a100")
    assert result.returncode == 1
    assert "queue 'gpu' allows at most 2 GPUs per job" in result.stderr
    (body,) = jobs_api.submitted
    run = MlflowClient(server.url).get_run(body["run_id"])
    assert run.info.status == "FAILED"
    assert "at most 2 GPUs" in run.data.tags["grimoire.job.error"]


def test_a_failed_job_exits_1_with_its_reason(
    server: RunningServer, jobs_api: JobsApiDouble, project: Path
) -> None:
    jobs_api.final_state = "FAILED"
    result = grimoire_run(server, jobs_api, str(project))
    assert result.returncode == 1
    assert "job FAILED (BackoffLimitExceeded)" in result.stderr


def test_bad_input_is_refused_before_any_run_or_job(
    server: RunningServer, jobs_api: JobsApiDouble, project: Path
) -> None:
    for args, message in [
        (["-P", "alpha=high"], "'alpha' is a float; 'high' is not a number"),
        (["--timeout", "soon"], "'soon' is not a duration"),
        (["-e", "evaluate"], "unknown entry point 'evaluate'"),
    ]:
        result = grimoire_run(server, jobs_api, str(project), *args)
        assert result.returncode == 1 and message in result.stderr, result.stderr
    assert jobs_api.submitted == []


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip


def test_a_git_project_is_passed_at_its_commit_and_detach_returns_at_once(
    server: RunningServer, jobs_api: JobsApiDouble, project: Path
) -> None:
    repository = project.parent / "repo"
    (repository / "training").mkdir(parents=True)
    for name in ("MLproject", "train.py"):
        (repository / "training" / name).write_text(PROJECT_FILES[name])
    _git(repository, "init", "-q")
    _git(repository, "add", ".")
    _git(repository, "commit", "-qm", "training")
    commit = _git(repository, "rev-parse", "HEAD")
    uri = f"file://{repository}#training"

    result = grimoire_run(server, jobs_api, uri, "--detach", "-P", "alpha=0.1")
    assert result.returncode == 0, result.stderr
    (body,) = jobs_api.submitted
    assert body["source"] == {
        "type": "git",
        "uri": f"file://{repository}",
        "commit": commit,
        "subdirectory": "training",
    }
    assert result.stdout.strip() == body["run_id"]
    run = MlflowClient(server.url).get_run(body["run_id"])
    assert run.data.tags["mlflow.source.git.commit"] == commit
    assert run.data.tags["mlflow.source.name"] == uri
    # No --queue: the run names the queue the service chose.
    assert run.data.tags["grimoire.job.queue"] == "gpu"
    assert MlflowClient(server.url).list_artifacts(body["run_id"]) == []


def test_ctrl_c_with_cancel_on_interrupt_cancels_the_job(
    server: RunningServer, jobs_api: JobsApiDouble, project: Path
) -> None:
    jobs_api.hold_log = True
    process = subprocess.Popen(
        command(server, jobs_api, str(project), "--cancel-on-interrupt"),
        cwd=REPO,
        env=env(server),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(3)]
    assert lines[1:] == ["epoch 1\n", "epoch 2\n"]
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert jobs_api.cancelled == [lines[0].strip()]
    assert "cancelled" in stderr
