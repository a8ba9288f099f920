"""A run as runs/get, runs/create and runs/search return it: MLflow's Run message, value by
value over raw HTTP, the awkward values included (NaN, infinities, -0.0, 1.0, exponents,
control characters, letters outside the BMP), with the three routes agreeing with each other
and with runs/update's RunInfo. It guards the search's hot path (its page loader and
renderer, services/tracking/runs/page_repository.py and render.py) against any change of
the wire shape."""

import math
import uuid
from typing import Any

import httpx

API = "/api/2.0/mlflow"
POINT = {"timestamp": 5, "step": 2}
AWKWARD = 'quote " backslash \\ newline \n tab \t bell \x07 wide 𝐀 accent é'


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


def searched(api: httpx.Client, experiment_id: str, **extra: Any) -> list[dict[str, Any]]:
    body = {"experiment_ids": [experiment_id], "order_by": ["attributes.run_name ASC"], **extra}
    return ok(api.post(f"{API}/runs/search", json=body))["runs"]


def test_every_part_of_a_run_as_mlflow_renders_it(api: httpx.Client) -> None:
    experiment_id = ok(api.post(f"{API}/experiments/create", json={"name": uuid.uuid4().hex}))[
        "experiment_id"
    ]
    created = ok(
        api.post(
            f"{API}/runs/create",
            json={"experiment_id": experiment_id, "run_name": "full", "start_time": 1000},
        )
    )["run"]
    run_id = created["info"]["run_id"]
    assert created["info"] == {
        "run_id": run_id,
        "run_uuid": run_id,
        "run_name": "full",
        "experiment_id": experiment_id,
        "user_id": created["info"]["user_id"],
        "status": "RUNNING",
        "start_time": 1000,
        "artifact_uri": created["info"]["artifact_uri"],
        "lifecycle_stage": "active",
    }  # no end_time while it has none
    assert created["data"] == {
        "metrics": [],
        "params": [],
        "tags": [{"key": "mlflow.runName", "value": "full"}],
    }
    assert created["inputs"] == {"dataset_inputs": [], "model_inputs": []}
    assert created["outputs"] == {}

    values = {"one": 1.0, "neg_zero": -0.0, "nan": "NaN", "inf": "Infinity", "ninf": "-Infinity"}
    values |= {"big": 1e20, "tiny": -1.5e-7, "tenth": 0.1}
    metrics = [{"key": key, "value": value, **POINT} for key, value in values.items()]
    params = [{"key": "b", "value": AWKWARD}, {"key": "a", "value": ""}]
    ok(
        api.post(
            f"{API}/runs/log-batch",
            json={"run_id": run_id, "metrics": metrics, "params": params, "tags": params},
        )
    )
    dataset = {"name": "d", "digest": "x1", "source_type": "code", "source": AWKWARD}
    context = [{"key": "mlflow.data.context", "value": "train"}]
    ok(
        api.post(
            f"{API}/runs/log-inputs",
            json={"run_id": run_id, "datasets": [{"dataset": dataset, "tags": context}]},
        )
    )
    model_id = ok(api.post(f"{API}/logged-models", json={"experiment_id": experiment_id}))["model"][
        "info"
    ]["model_id"]
    ok(
        api.post(
            f"{API}/runs/log-inputs", json={"run_id": run_id, "models": [{"model_id": model_id}]}
        )
    )
    ok(
        api.post(
            f"{API}/runs/outputs",
            json={"run_id": run_id, "models": [{"model_id": model_id, "step": 3}]},
        )
    )
    updated = ok(
        api.post(
            f"{API}/runs/update", json={"run_id": run_id, "status": "FINISHED", "end_time": 2000}
        )
    )["run_info"]

    run = ok(api.get(f"{API}/runs/get", params={"run_id": run_id}))["run"]
    assert run["info"] == updated
    assert run["info"]["end_time"] == 2000 and run["info"]["experiment_id"] == experiment_id
    got = {m["key"]: m for m in run["data"]["metrics"]}
    assert [m["key"] for m in run["data"]["metrics"]] == sorted(values)
    for key, value in values.items():
        assert got[key] == {"key": key, "value": value, **POINT}
    assert math.copysign(1, got["neg_zero"]["value"]) == -1  # the sign survives
    assert isinstance(got["neg_zero"]["value"], float)
    assert run["data"]["params"] == [{"key": "a", "value": ""}, {"key": "b", "value": AWKWARD}]
    assert run["data"]["tags"] == [
        {"key": "a", "value": ""},
        {"key": "b", "value": AWKWARD},
        {"key": "mlflow.runName", "value": "full"},
    ]
    assert run["inputs"] == {
        "dataset_inputs": [{"tags": context, "dataset": dataset}],
        "model_inputs": [{"model_id": model_id}],
    }
    assert run["outputs"] == {"model_outputs": [{"model_id": model_id, "step": 3}]}

    other = ok(api.post(f"{API}/runs/create", json={"experiment_id": experiment_id}))["run"]
    page = searched(api, experiment_id)
    assert [r["info"]["run_id"] for r in page] == sorted(
        [run_id, other["info"]["run_id"]],
        key=lambda i: "full" if i == run_id else other["info"]["run_name"],
    )
    assert next(r for r in page if r["info"]["run_id"] == run_id) == run
    assert next(r for r in page if r["info"]["run_id"] != run_id) == other

    columns = {"metrics": ["nan", "absent"], "params": ["b"], "tags": []}
    [projected] = searched(
        api, experiment_id, filter="attributes.run_name = 'full'", columns=columns
    )
    assert projected["data"] == {
        "metrics": [{"key": "nan", "value": "NaN", **POINT}],
        "params": [{"key": "b", "value": AWKWARD}],
        "tags": [],
    }
    assert {k: projected[k] for k in ("info", "inputs", "outputs")} == {
        k: run[k] for k in ("info", "inputs", "outputs")
    }


def test_a_missing_run_is_mlflows_404(api: httpx.Client) -> None:
    response = api.get(f"{API}/runs/get", params={"run_id": uuid.uuid4().hex})
    assert response.status_code == 404
    assert response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
