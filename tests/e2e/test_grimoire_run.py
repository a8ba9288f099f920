"""`grimoire run --backend local` of the MLflow tutorial project against a real server: the
run that is the job gets the project's tags, the params, the script's metric and a registered
model version; a second run of the same model name makes version 2. Failing and interrupted
commands end their runs FAILED and KILLED."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from mlflow import MlflowClient

from tests.fixtures.servers import REPO, RunningServer

TUTORIAL = REPO / "examples" / "tutorial-project"


def grimoire_run(
    server: RunningServer, *args: str, cwd: Path = REPO
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "run", *args],
        cwd=cwd,
        env=_env(server),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _env(server: RunningServer) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "MLFLOW_TRACKING_URI": server.url,
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    }


def _run_id(client: MlflowClient, experiment_name: str) -> list:
    experiment = client.get_experiment_by_name(experiment_name)
    return client.search_runs([experiment.experiment_id], order_by=["attributes.start_time ASC"])


def test_the_tutorial_project_runs_twice_and_registers_version_2(server: RunningServer) -> None:
    experiment, model = f"tutorial-{uuid.uuid4().hex[:8]}", f"sklearn-model-{uuid.uuid4().hex[:6]}"
    common = [str(TUTORIAL), "--env-manager", "local", "--experiment-name", experiment]
    first = grimoire_run(
        server, *common, "-P", "n_samples=200", "-P", "noise=0.5", "-P", f"model_name={model}"
    )
    assert first.returncode == 0, first.stderr
    second = grimoire_run(server, *common, "-P", f"model_name={model}")
    assert second.returncode == 0, second.stderr

    client = MlflowClient(server.url)
    runs = _run_id(client, experiment)
    assert [r.info.status for r in runs] == ["FINISHED", "FINISHED"]
    assert runs[0].data.params == {"n_samples": "200", "noise": "0.5", "model_name": model}
    # The second run used the MLproject's defaults.
    assert runs[1].data.params == {"n_samples": "1000", "noise": "0.1", "model_name": model}
    for found in runs:
        assert found.data.metrics["mse"] >= 0
        tags = found.data.tags
        assert tags["mlflow.source.type"] == "PROJECT"
        assert tags["mlflow.source.name"] == str(TUTORIAL)
        assert tags["mlflow.project.entryPoint"] == "main"
        assert tags["grimoire.job.backend"] == "local"
        assert len(tags["mlflow.source.git.commit"]) == 40
    versions = sorted(
        client.search_model_versions(f"name = '{model}'"), key=lambda v: int(v.version)
    )
    assert [(v.version, v.run_id) for v in versions] == [
        ("1", runs[0].info.run_id),
        ("2", runs[1].info.run_id),
    ]
    assert "mse=" in first.stdout


def _project(folder: Path, command: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "MLproject").write_text(
        "name: scratch\nentry_points:\n  main:\n"
        f"    parameters: {{code: {{type: int, default: 0}}}}\n    command: {json.dumps(command)}\n"
    )
    return folder


def test_a_failing_command_fails_the_run_with_its_exit_code(
    server: RunningServer, tmp_path: Path
) -> None:
    experiment = f"failing-{uuid.uuid4().hex[:8]}"
    project = _project(tmp_path / "p", "python -c 'import sys; sys.exit({code})'")
    result = grimoire_run(
        server,
        str(project),
        "--env-manager",
        "local",
        "--experiment-name",
        experiment,
        "-P",
        "code=3",
    )
    assert result.returncode == 3
    (found,) = _run_id(MlflowClient(server.url), experiment)
    assert found.info.status == "FAILED"
    assert found.data.tags["grimoire.job.exit_code"] == "3"


def test_bad_parameters_are_refused_before_any_run_exists(server: RunningServer) -> None:
    experiment = f"refused-{uuid.uuid4().hex[:8]}"
    result = grimoire_run(
        server,
        str(TUTORIAL),
        "--env-manager",
        "local",
        "--experiment-name",
        experiment,
        "-P",
        "noise=loud",
    )
    assert result.returncode == 1
    assert "parameter 'noise' is a float; 'loud' is not a number" in result.stderr
    assert MlflowClient(server.url).get_experiment_by_name(experiment) is None


def test_ctrl_c_stops_the_command_and_kills_the_run(server: RunningServer, tmp_path: Path) -> None:
    experiment = f"interrupted-{uuid.uuid4().hex[:8]}"
    marker = tmp_path / "started"
    project = _project(
        tmp_path / "p",
        f"python -c 'import pathlib, time; pathlib.Path(\"{marker}\").touch(); time.sleep(600)'",
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "services.cli",
            "run",
            str(project),
            "--env-manager",
            "local",
            "--experiment-name",
            experiment,
        ],
        cwd=REPO,
        env=_env(server),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the command never started"
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    (found,) = _run_id(MlflowClient(server.url), experiment)
    assert found.info.status == "KILLED"


@pytest.mark.parametrize("flag", [["--gpus", "1"], ["--detach"]])
def test_kubernetes_options_need_the_kubernetes_backend(
    server: RunningServer, flag: list[str]
) -> None:
    result = grimoire_run(server, str(TUTORIAL), *flag)
    assert result.returncode == 2
    assert "need --backend kubernetes" in result.stderr


def test_a_git_project_runs_at_its_commit(server: RunningServer, tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    _project(repository / "training", "python -c 'print(\"trained\")'")
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=repository, check=True)
    subprocess.run([*git, "add", "."], cwd=repository, check=True)
    subprocess.run([*git, "commit", "-qm", "training"], cwd=repository, check=True)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repository, capture_output=True, text=True, check=True
    ).stdout.strip()
    experiment = f"git-{uuid.uuid4().hex[:8]}"
    uri = f"file://{repository}#training"
    result = grimoire_run(
        server, uri, "-v", commit, "--env-manager", "local", "--experiment-name", experiment
    )
    assert result.returncode == 0, result.stderr
    (found,) = _run_id(MlflowClient(server.url), experiment)
    assert found.info.status == "FINISHED"
    assert found.data.tags["mlflow.source.git.commit"] == commit
    assert found.data.tags["mlflow.source.name"] == uri
