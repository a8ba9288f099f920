"""MLflow's error contract on the wire: error_code, HTTP status, and nothing stored."""

import uuid

import httpx
import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

API = "/api/2.0/mlflow"


def error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert set(body) >= {"error_code", "message"}, body
    assert body["message"], body
    return response.status_code, body["error_code"]


def new_run(api: httpx.Client) -> str:
    response = api.post(f"{API}/runs/create", json={"experiment_id": "0", "start_time": 1})
    assert response.status_code == 200, response.text
    return response.json()["run"]["info"]["run_id"]


def test_missing_run_is_404_resource_does_not_exist(api: httpx.Client) -> None:
    response = api.get(f"{API}/runs/get", params={"run_id": uuid.uuid4().hex})
    assert error(response) == (404, "RESOURCE_DOES_NOT_EXIST")


def test_missing_run_through_client(tracking_uri: str) -> None:
    with pytest.raises(MlflowException) as raised:
        MlflowClient().get_run(uuid.uuid4().hex)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_duplicate_experiment_is_resource_already_exists(api: httpx.Client) -> None:
    name = f"dup-{uuid.uuid4().hex}"
    assert api.post(f"{API}/experiments/create", json={"name": name}).status_code == 200
    response = api.post(f"{API}/experiments/create", json={"name": name})
    assert error(response) == (400, "RESOURCE_ALREADY_EXISTS")
    found = api.post(f"{API}/experiments/search", json={"filter": f"name = '{name}'"})
    assert len(found.json()["experiments"]) == 1


def test_param_overwrite_rejected_same_value_accepted(api: httpx.Client) -> None:
    run_id = new_run(api)
    first = {"run_id": run_id, "key": "lr", "value": "0.1"}
    assert api.post(f"{API}/runs/log-parameter", json=first).status_code == 200
    assert api.post(f"{API}/runs/log-parameter", json=first).status_code == 200
    changed = api.post(f"{API}/runs/log-parameter", json={**first, "value": "0.2"})
    assert error(changed) == (400, "INVALID_PARAMETER_VALUE")
    assert "Changing param values is not allowed" in changed.json()["message"]
    params = api.get(f"{API}/runs/get", params={"run_id": run_id}).json()["run"]["data"]["params"]
    assert params == [{"key": "lr", "value": "0.1"}]


def test_batch_with_param_conflict_stores_nothing(api: httpx.Client) -> None:
    run_id = new_run(api)
    api.post(f"{API}/runs/log-parameter", json={"run_id": run_id, "key": "lr", "value": "0.1"})
    batch = {
        "run_id": run_id,
        "metrics": [{"key": "m", "value": 1.0, "timestamp": 1, "step": 0}],
        "params": [{"key": "other", "value": "x"}, {"key": "lr", "value": "0.5"}],
        "tags": [{"key": "t", "value": "v"}],
    }
    assert error(api.post(f"{API}/runs/log-batch", json=batch)) == (400, "INVALID_PARAMETER_VALUE")
    data = api.get(f"{API}/runs/get", params={"run_id": run_id}).json()["run"]["data"]
    assert data["params"] == [{"key": "lr", "value": "0.1"}]
    assert data["metrics"] == []
    assert "t" not in {t["key"] for t in data["tags"]}


@pytest.mark.parametrize(
    ("metrics", "params", "tags"),
    [(1001, 0, 0), (0, 101, 0), (0, 0, 101), (950, 30, 30)],
    ids=["metrics", "params", "tags", "entities"],
)
def test_over_limit_batch_is_rejected_and_stores_nothing(
    api: httpx.Client, metrics: int, params: int, tags: int
) -> None:
    run_id = new_run(api)
    batch = {
        "run_id": run_id,
        "metrics": [
            {"key": f"m{i}", "value": i, "timestamp": 1, "step": 0} for i in range(metrics)
        ],
        "params": [{"key": f"p{i}", "value": "v"} for i in range(params)],
        "tags": [{"key": f"t{i}", "value": "v"} for i in range(tags)],
    }
    response = api.post(f"{API}/runs/log-batch", json=batch)
    assert error(response) == (400, "INVALID_PARAMETER_VALUE")
    assert "at most" in response.json()["message"]
    data = api.get(f"{API}/runs/get", params={"run_id": run_id}).json()["run"]["data"]
    assert data["metrics"] == [] and data["params"] == []
    assert {t["key"] for t in data["tags"]} == {"mlflow.runName"}


def test_bad_filter_is_invalid_parameter_value(api: httpx.Client) -> None:
    for bad in [
        "metrics.acc >",
        "metrics.acc > 'high'",
        "params.model = rf",
        "foo.bar = 'x'",
        "metrics.acc > 1 OR metrics.acc < 0",
        "attributes.nope = 'x'",
        "params.x > 'a'",
    ]:
        response = api.post(f"{API}/runs/search", json={"experiment_ids": ["0"], "filter": bad})
        assert error(response) == (400, "INVALID_PARAMETER_VALUE"), bad


def test_bad_filter_through_client(mlflow_experiment: str) -> None:
    with pytest.raises(MlflowException) as raised:
        mlflow.search_runs(experiment_ids=[mlflow_experiment], filter_string="metrics.x >> 1")
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"


def test_missing_required_field_and_malformed_json(api: httpx.Client) -> None:
    assert error(api.post(f"{API}/runs/log-metric", json={"key": "m"})) == (
        400,
        "INVALID_PARAMETER_VALUE",
    )
    malformed = api.post(
        f"{API}/runs/log-batch", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert error(malformed) == (400, "INVALID_PARAMETER_VALUE")
    bad_type = api.post(
        f"{API}/runs/log-metric",
        json={"run_id": new_run(api), "key": "m", "value": "high", "timestamp": 1},
    )
    assert error(bad_type) == (400, "INVALID_PARAMETER_VALUE")


def test_invalid_metric_name_is_rejected(api: httpx.Client) -> None:
    run_id = new_run(api)
    for key in ["../escape", "/abs", "a//b", "bad*char"]:
        response = api.post(
            f"{API}/runs/log-metric",
            json={"run_id": run_id, "key": key, "value": 1, "timestamp": 1},
        )
        assert error(response) == (400, "INVALID_PARAMETER_VALUE"), key


def test_logging_to_deleted_run_is_rejected(api: httpx.Client) -> None:
    run_id = new_run(api)
    assert api.post(f"{API}/runs/delete", json={"run_id": run_id}).status_code == 200
    response = api.post(
        f"{API}/runs/log-metric", json={"run_id": run_id, "key": "m", "value": 1, "timestamp": 1}
    )
    assert error(response) == (400, "INVALID_PARAMETER_VALUE")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/3.0/mlflow/datasets/create"),
        ("GET", "/api/2.0/mlflow/traces/tr-1/info"),
        ("POST", "/api/3.0/mlflow/traces/search"),
    ],
)
def test_unimplemented_mlflow_endpoint_is_501(api: httpx.Client, method: str, path: str) -> None:
    response = api.request(method, path, json={})
    assert error(response) == (501, "NOT_IMPLEMENTED")


def test_unknown_path_is_404_in_mlflow_shape(api: httpx.Client) -> None:
    assert error(api.get("/api/2.0/mlflow/no-such-endpoint"))[0] == 404


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("POST", "/api/2.0/grimoire/tokens", {"name": "t"}),
        ("GET", "/api/2.0/grimoire/tokens", None),
        ("DELETE", "/api/2.0/grimoire/tokens/0", None),
        ("POST", "/api/2.0/grimoire/service-accounts", {"name": "ci"}),
        ("GET", "/me", None),
    ],
)
def test_account_routes_say_authentication_is_off(
    api: httpx.Client, method: str, path: str, body: dict | None
) -> None:
    """With auth off there is no caller: a clear 400, not an assertion's 500."""
    response = api.request(method, path, json=body) if body else api.request(method, path)
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "FEATURE_DISABLED"
    assert api.get("/health").status_code == 200
