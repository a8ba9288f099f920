"""The MLflow tutorial flows our users follow, driven only by the real, unmodified client."""

import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag


def test_log_param_metric_tag_and_read_back(mlflow_experiment: str) -> None:
    with mlflow.start_run(run_name="tutorial") as run:
        mlflow.log_param("alpha", 0.4)
        mlflow.log_params({"l1_ratio": 0.1, "solver": "saga"})
        mlflow.log_metric("rmse", 0.78)
        mlflow.log_metric("accuracy", 0.5, step=10)
        mlflow.log_metric("accuracy", 0.9, step=100)
        mlflow.set_tag("team", "vision")
        mlflow.set_tags({"stage": "dev"})

    fetched = MlflowClient().get_run(run.info.run_id)
    assert fetched.info.run_name == "tutorial"
    assert fetched.info.status == "FINISHED"
    assert fetched.info.end_time >= fetched.info.start_time
    assert fetched.info.experiment_id == mlflow_experiment
    assert fetched.info.artifact_uri == (
        f"mlflow-artifacts:/{mlflow_experiment}/{run.info.run_id}/artifacts"
    )
    assert fetched.data.params == {"alpha": "0.4", "l1_ratio": "0.1", "solver": "saga"}
    assert fetched.data.metrics == {"rmse": 0.78, "accuracy": 0.9}
    assert fetched.data.tags["team"] == "vision"
    assert fetched.data.tags["stage"] == "dev"
    assert fetched.data.tags["mlflow.runName"] == "tutorial"
    history = MlflowClient().get_metric_history(run.info.run_id, "accuracy")
    assert [(m.step, m.value) for m in history] == [(10, 0.5), (100, 0.9)]


def test_per_epoch_loop_history_in_order(mlflow_experiment: str) -> None:
    with mlflow.start_run() as run:
        for epoch in range(50):
            mlflow.log_metric("train_loss", 1.0 / (epoch + 1), step=epoch)
            mlflow.log_metric("val_loss", 2.0 / (epoch + 1), step=epoch)
    client = MlflowClient()
    history = client.get_metric_history(run.info.run_id, "train_loss")
    assert [m.step for m in history] == list(range(50))
    assert history[-1].value == pytest.approx(1 / 50)
    assert client.get_run(run.info.run_id).data.metrics["val_loss"] == pytest.approx(2 / 50)


def test_log_artifact_with_artifact_path_and_unicode(
    mlflow_experiment: str, tmp_path: Path
) -> None:
    folder = tmp_path / "свитки"
    folder.mkdir()
    (folder / "заклинание.txt").write_text("огонь", encoding="utf-8")
    (folder / "nested").mkdir()
    (folder / "nested" / "deep.json").write_text('{"a": 1}')
    single = tmp_path / "report.csv"
    single.write_text("a,b\n1,2\n")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(single), artifact_path="reports/daily")
        mlflow.log_artifacts(str(folder), artifact_path="свитки")
        mlflow.log_text("plain words", "notes/readme.txt")
        mlflow.log_dict({"lr": 0.1}, "config/params.json")

    client = MlflowClient()
    run_id = run.info.run_id
    assert {a.path for a in client.list_artifacts(run_id)} == {
        "reports",
        "свитки",
        "notes",
        "config",
    }
    listing = {a.path: a for a in client.list_artifacts(run_id, "свитки")}
    assert set(listing) == {"свитки/заклинание.txt", "свитки/nested"}
    assert listing["свитки/nested"].is_dir
    assert listing["свитки/заклинание.txt"].file_size == len("огонь".encode())
    downloaded = client.download_artifacts(run_id, "свитки/заклинание.txt", str(tmp_path / "dl"))
    assert Path(downloaded).read_text(encoding="utf-8") == "огонь"
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/readme.txt") == "plain words"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/params.json") == {"lr": 0.1}
    whole = Path(
        mlflow.artifacts.download_artifacts(
            f"runs:/{run_id}/reports", dst_path=str(tmp_path / "all")
        )
    )
    assert (whole / "daily" / "report.csv").read_text() == "a,b\n1,2\n"


def test_nested_runs_link_to_parent(mlflow_experiment: str) -> None:
    with mlflow.start_run(run_name="parent") as parent:
        for fold in range(3):
            with mlflow.start_run(run_name=f"fold-{fold}", nested=True):
                mlflow.log_metric("score", fold)
    children = mlflow.search_runs(
        experiment_ids=[mlflow_experiment],
        filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
        order_by=["metrics.score ASC"],
        output_format="list",
    )
    assert [c.info.run_name for c in children] == ["fold-0", "fold-1", "fold-2"]


def test_exception_inside_start_run_marks_failed(mlflow_experiment: str) -> None:
    with pytest.raises(RuntimeError):
        with mlflow.start_run() as run:
            mlflow.log_param("lr", 0.01)
            raise RuntimeError("diverged")
    fetched = MlflowClient().get_run(run.info.run_id)
    assert fetched.info.status == "FAILED"
    assert fetched.info.end_time is not None


SWEEP = [
    ("rf", {"n_estimators": 10}),
    ("rf", {"n_estimators": 50}),
    ("rf", {"n_estimators": 100}),
    ("rf", {"n_estimators": 200}),
    ("rf", {"n_estimators": 400}),
    ("logreg", {"C": 0.01}),
    ("logreg", {"C": 0.1}),
    ("logreg", {"C": 1.0}),
    ("logreg", {"C": 10.0}),
    ("logreg", {"C": 100.0}),
    ("gbt", {"learning_rate": 0.01}),
    ("gbt", {"learning_rate": 0.05}),
    ("gbt", {"learning_rate": 0.1}),
    ("gbt", {"learning_rate": 0.2}),
    ("gbt", {"learning_rate": 0.5}),
]


def test_fifteen_run_sweep_search_by_param_and_metric_order(mlflow_experiment: str) -> None:
    from sklearn.datasets import load_iris
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    features, labels = load_iris(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        features, labels, test_size=0.3, random_state=0
    )
    builders = {
        "rf": lambda p: RandomForestClassifier(random_state=0, max_depth=2, **p),
        "logreg": lambda p: LogisticRegression(max_iter=50, **p),
        "gbt": lambda p: GradientBoostingClassifier(random_state=0, n_estimators=5, **p),
    }
    accuracy_by_run = {}
    for name, params in SWEEP:
        with mlflow.start_run(run_name=f"{name}-{params}") as run:
            mlflow.log_param("model_name", name)
            mlflow.log_params(params)
            model = builders[name](params).fit(x_train, y_train)
            accuracy = float(model.score(x_test, y_test))
            mlflow.log_metric("accuracy", accuracy)
            accuracy_by_run[run.info.run_id] = (name, accuracy)

    forests = mlflow.search_runs(
        experiment_ids=[mlflow_experiment],
        filter_string="params.model_name = 'rf'",
        order_by=["metrics.accuracy DESC"],
        output_format="list",
    )
    assert len(forests) == 5
    assert {r.data.params["model_name"] for r in forests} == {"rf"}
    scores = [r.data.metrics["accuracy"] for r in forests]
    assert scores == sorted(scores, reverse=True)

    everything = mlflow.search_runs(
        experiment_ids=[mlflow_experiment], order_by=["metrics.accuracy DESC"]
    )
    assert len(everything) == 15
    assert list(everything["metrics.accuracy"]) == sorted(
        (acc for _, acc in accuracy_by_run.values()), reverse=True
    )
    best = mlflow.search_runs(
        experiment_ids=[mlflow_experiment],
        filter_string="params.model_name != 'rf' and metrics.accuracy > 0.5",
        output_format="list",
    )
    expected = {rid for rid, (n, a) in accuracy_by_run.items() if n != "rf" and a > 0.5}
    assert {r.info.run_id for r in best} == expected


def test_log_batch_of_1500_metrics_is_split_by_client(mlflow_experiment: str) -> None:
    client = MlflowClient()
    run = client.create_run(mlflow_experiment)
    metrics = [Metric("batch_metric", float(i), 1_700_000_000_000 + i, i) for i in range(1500)]
    client.log_batch(
        run.info.run_id,
        metrics=metrics,
        params=[Param("p", "v")],
        tags=[RunTag("t", "x")],
    )
    history = client.get_metric_history(run.info.run_id, "batch_metric")
    assert len(history) == 1500
    assert [m.step for m in history] == list(range(1500))
    fetched = client.get_run(run.info.run_id)
    assert fetched.data.metrics["batch_metric"] == 1499.0
    assert fetched.data.params == {"p": "v"}


def test_script_that_only_sets_environment_variables(
    tracking_uri: str, experiment_name: str, tmp_path: Path
) -> None:
    script = tmp_path / "train.py"
    script.write_text(
        textwrap.dedent(
            """
            import mlflow
            with mlflow.start_run() as run:
                mlflow.log_param("epochs", 3)
                for epoch in range(3):
                    mlflow.log_metric("loss", 1.0 / (epoch + 1), step=epoch)
            print(run.info.run_id)
            """
        )
    )
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": tracking_uri,
        "MLFLOW_EXPERIMENT_NAME": experiment_name,
    }
    result = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    run_id = result.stdout.strip().splitlines()[-1]
    run = MlflowClient().get_run(run_id)
    experiment = MlflowClient().get_experiment_by_name(experiment_name)
    assert run.info.experiment_id == experiment.experiment_id
    assert run.data.params == {"epochs": "3"}
    assert run.data.metrics == {"loss": pytest.approx(1 / 3)}


def test_nan_and_infinity_round_trip(mlflow_experiment: str) -> None:
    with mlflow.start_run() as run:
        mlflow.log_metric("nan", float("nan"))
        mlflow.log_metric("pinf", float("inf"))
        mlflow.log_metric("ninf", float("-inf"))
    metrics = MlflowClient().get_run(run.info.run_id).data.metrics
    assert math.isnan(metrics["nan"])
    assert metrics["pinf"] == math.inf
    assert metrics["ninf"] == -math.inf
    history = MlflowClient().get_metric_history(run.info.run_id, "nan")
    assert len(history) == 1 and math.isnan(history[0].value)


def test_unicode_experiment_run_param_and_tag_names(tracking_uri: str) -> None:
    experiment = mlflow.set_experiment("свитки-эксперимент")
    with mlflow.start_run(run_name="заклинание") as run:
        mlflow.log_param("скорость", "высокая")
        mlflow.log_metric("точность", 0.93)
        mlflow.set_tag("автор", "маг")
    fetched = MlflowClient().get_run(run.info.run_id)
    assert fetched.info.run_name == "заклинание"
    assert fetched.data.params == {"скорость": "высокая"}
    assert fetched.data.metrics == {"точность": 0.93}
    found = mlflow.search_runs(
        experiment_ids=[experiment.experiment_id],
        filter_string="params.скорость = 'высокая' and attributes.run_name = 'заклинание'",
        output_format="list",
    )
    assert [r.info.run_id for r in found] == [run.info.run_id]
