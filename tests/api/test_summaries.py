"""metric-summaries (best, not last) and run-counts, against a real server, data logged by
the real mlflow client."""

import math

import httpx
import mlflow
from mlflow.entities import Metric
from mlflow.tracking import MlflowClient

G = "/api/2.0/grimoire"


def test_metric_summaries_give_min_max_and_latest(
    api: httpx.Client, mlflow_experiment: str
) -> None:
    client = MlflowClient()
    with mlflow.start_run() as first:
        for step, loss in enumerate([0.9, 0.2, 0.5]):
            mlflow.log_metric("loss", loss, step=step)
        mlflow.log_metric("acc", 0.7)
    with mlflow.start_run() as second:
        client.log_batch(
            second.info.run_id,
            metrics=[
                Metric("loss", math.nan, 1, 0),
                Metric("loss", 3.0, 2, 1),
                Metric("loss", math.inf, 3, 2),
            ],
        )
    response = api.get(
        f"{G}/runs/metric-summaries",
        params={"run_ids": [second.info.run_id, first.info.run_id], "metric_keys": "loss"},
    )
    assert response.status_code == 200, response.text
    summaries = {s["run_id"]: s for s in response.json()["summaries"]}
    assert summaries[first.info.run_id] == {
        "run_id": first.info.run_id,
        "key": "loss",
        "min": 0.2,
        "max": 0.9,
        "latest": 0.5,
        "latest_step": 2,
    }
    # NaN is no one's best; infinities are rendered as MLflow renders them.
    assert summaries[second.info.run_id] | {"run_id": "-"} == {
        "run_id": "-",
        "key": "loss",
        "min": 3.0,
        "max": "Infinity",
        "latest": "Infinity",
        "latest_step": 2,
    }
    every_key = api.get(f"{G}/runs/metric-summaries", params={"run_ids": first.info.run_id})
    assert [s["key"] for s in every_key.json()["summaries"]] == ["acc", "loss"]


def test_metric_summaries_refuse_bad_input_and_unknown_runs(api: httpx.Client) -> None:
    assert api.get(f"{G}/runs/metric-summaries").status_code == 400
    too_many = api.get(f"{G}/runs/metric-summaries", params={"run_ids": ["a" * 32] * 101})
    assert too_many.status_code == 400
    assert too_many.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    unknown = api.get(f"{G}/runs/metric-summaries", params={"run_ids": "f" * 32})
    assert unknown.status_code == 404
    assert unknown.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_run_counts_count_active_and_deleted_runs(
    api: httpx.Client, mlflow_experiment: str
) -> None:
    client = MlflowClient()
    run_ids = [client.create_run(mlflow_experiment).info.run_id for _ in range(3)]
    client.delete_run(run_ids[0])
    empty = client.create_experiment(f"{mlflow_experiment}-empty")
    response = api.get(
        f"{G}/experiments/run-counts", params={"experiment_ids": [mlflow_experiment, empty]}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "counts": {mlflow_experiment: 2, empty: 0},
        "deleted_counts": {mlflow_experiment: 1, empty: 0},
    }


def test_run_counts_refuse_bad_input_and_unknown_experiments(api: httpx.Client) -> None:
    assert api.get(f"{G}/experiments/run-counts").status_code == 400
    bad = api.get(f"{G}/experiments/run-counts", params={"experiment_ids": "x1"})
    assert bad.status_code == 400
    unknown = api.get(f"{G}/experiments/run-counts", params={"experiment_ids": "987654321"})
    assert unknown.status_code == 404
    assert unknown.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_run_keys_list_what_the_experiments_runs_carry(
    api: httpx.Client, mlflow_experiment: str
) -> None:
    with mlflow.start_run():
        mlflow.log_params({"alpha": 0.4, "model_name": "rf"})
        mlflow.log_metric("mse", 1.5)
        mlflow.set_tag("team", "vision")
    with mlflow.start_run():
        mlflow.log_param("depth", 3)
    deleted = MlflowClient().create_run(mlflow_experiment)
    MlflowClient().log_param(deleted.info.run_id, "only_deleted", 1)
    MlflowClient().delete_run(deleted.info.run_id)
    response = api.get(f"{G}/experiments/run-keys", params={"experiment_id": mlflow_experiment})
    assert response.status_code == 200, response.text
    keys = response.json()
    assert keys["params"] == ["alpha", "depth", "model_name"]
    assert keys["metrics"] == ["mse"]
    assert "team" in keys["tags"] and "mlflow.runName" in keys["tags"]


def test_run_keys_refuse_bad_and_unknown_experiments(api: httpx.Client) -> None:
    assert api.get(f"{G}/experiments/run-keys").status_code == 400
    unknown = api.get(f"{G}/experiments/run-keys", params={"experiment_id": "987654321"})
    assert unknown.status_code == 404
    assert unknown.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_a_search_with_columns_carries_only_those_keys(
    api: httpx.Client, mlflow_experiment: str
) -> None:
    with mlflow.start_run() as run:
        mlflow.log_params({"alpha": 0.4, "beta": 2})
        mlflow.log_metrics({"mse": 1.5, "mae": 0.5})
        mlflow.set_tags({"team": "vision", "owner": "ana"})
    body = {"experiment_ids": [mlflow_experiment]}
    columns = {"params": ["beta"], "metrics": ["mse", "absent"], "tags": ["team"]}
    (projected,) = api.post("/api/2.0/mlflow/runs/search", json=body | {"columns": columns}).json()[
        "runs"
    ]
    assert projected["info"]["run_id"] == run.info.run_id
    assert [p["key"] for p in projected["data"]["params"]] == ["beta"]
    assert [m["key"] for m in projected["data"]["metrics"]] == ["mse"]
    assert [t["key"] for t in projected["data"]["tags"]] == ["team"]
    (whole,) = api.post("/api/2.0/mlflow/runs/search", json=body).json()["runs"]
    assert len(whole["data"]["params"]) == 2 and len(whole["data"]["metrics"]) == 2
    too_wide = api.post(
        "/api/2.0/mlflow/runs/search", json=body | {"columns": {"params": ["p"] * 201}}
    )
    assert too_wide.status_code == 400
    assert too_wide.json()["error_code"] == "INVALID_PARAMETER_VALUE"
