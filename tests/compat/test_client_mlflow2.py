"""The basic logging flow with the last mlflow 2.x client (teams upgrade slowly).

The 2.x client runs in its own virtualenv (`.venv-mlflow2`, made by .ci/run or by this
fixture on first use), since it cannot share one with mlflow 3.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mlflow import MlflowClient

from tests.fixtures.servers import REPO

VENV = REPO / ".venv-mlflow2"
PYTHON = VENV / "bin" / "python"

SCRIPT = textwrap.dedent(
    """
    import json, os, sys, tempfile
    import mlflow
    from mlflow import MlflowClient
    from mlflow.entities import Metric

    assert mlflow.__version__.startswith("2."), mlflow.__version__
    mlflow.set_experiment(sys.argv[1])
    with mlflow.start_run(run_name="legacy") as run:
        mlflow.log_param("alpha", 0.4)
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.set_tag("client", "mlflow2")
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "notes.txt")
        open(path, "w").write("from 2.x")
        mlflow.log_artifact(path, artifact_path="docs")
        with mlflow.start_run(nested=True) as child:
            mlflow.log_metric("fold_score", 0.5)
    client = MlflowClient()
    points = [Metric("batch", float(i), 1, i) for i in range(1200)]
    client.log_batch(run.info.run_id, metrics=points)
    found = mlflow.search_runs(filter_string="params.alpha = '0.4'", output_format="list")
    history = client.get_metric_history(run.info.run_id, "loss")
    artifacts = [a.path for a in client.list_artifacts(run.info.run_id, "docs")]
    print(json.dumps({
        "run_id": run.info.run_id,
        "child_id": child.info.run_id,
        "found": [r.info.run_id for r in found],
        "history": [m.step for m in history],
        "artifacts": artifacts,
        "text": mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/docs/notes.txt"),
    }))
    """
)


@pytest.fixture(scope="session")
def mlflow2_python() -> Path:
    if not PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(PYTHON), "-m", "pip", "install", "-q", "mlflow-skinny==2.22.*"],
            check=True,
            timeout=600,
        )
    return PYTHON


@pytest.mark.mlflow2
def test_mlflow2_client_basic_logging_flow(
    mlflow2_python: Path, tracking_uri: str, experiment_name: str, tmp_path: Path
) -> None:
    script = tmp_path / "legacy.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri}
    result = subprocess.run(
        [str(mlflow2_python), str(script), experiment_name],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["found"] == [report["run_id"]]
    assert report["history"] == [0, 1, 2, 3, 4]
    assert report["artifacts"] == ["docs/notes.txt"]
    assert report["text"] == "from 2.x"
    run = MlflowClient().get_run(report["run_id"])  # read back with the 3.x client
    assert run.data.params == {"alpha": "0.4"}
    assert run.data.metrics["batch"] == 1199.0
    assert run.data.tags["client"] == "mlflow2"
    child = MlflowClient().get_run(report["child_id"])
    assert child.data.tags["mlflow.parentRunId"] == report["run_id"]
