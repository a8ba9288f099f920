"""Hostile requests to the tracking API: each gets MLflow's 400 (or its 404 for a well-formed id
that names nothing), stores nothing, and leaves the connection serving the next request.

Everything goes over raw HTTP to the real server, one keep-alive client per test: a request
that used to reach PostgreSQL and fail came back as a 500 and reset the connection.
"""

import base64
import json
import random
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

API = "/api/2.0/mlflow"
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
INT32_MAX = 2**31 - 1
# Letters outside the BMP are 4 bytes of UTF-8 and valid in MLflow names (\w).
WIDE_LETTERS = [chr(c) for c in range(0x1D400, 0x1D434)]


def _port(response: httpx.Response) -> int:
    return response.extensions["network_stream"].get_extra_info("client_addr")[1]


def rejected(api: httpx.Client, response: httpx.Response, code: int = 400) -> str:
    """MLflow's error shape with INVALID_PARAMETER_VALUE (or RESOURCE_DOES_NOT_EXIST for a
    404), and the next request on the same connection answered. Returns the message."""
    body = response.json()
    expected = "INVALID_PARAMETER_VALUE" if code == 400 else "RESOURCE_DOES_NOT_EXIST"
    assert (response.status_code, body.get("error_code")) == (code, expected), response.text
    assert body["message"]
    after = api.get(f"{API}/experiments/get", params={"experiment_id": "0"})
    assert after.status_code == 200
    assert _port(after) == _port(response), "the connection was not kept"
    return body["message"]


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


def new_experiment(api: httpx.Client) -> str:
    name = f"hostile-{uuid.uuid4().hex}"
    return ok(api.post(f"{API}/experiments/create", json={"name": name}))["experiment_id"]


def new_run(api: httpx.Client, experiment_id: str = "0") -> str:
    run = ok(api.post(f"{API}/runs/create", json={"experiment_id": experiment_id}))
    return run["run"]["info"]["run_id"]


def run_state(api: httpx.Client, run_id: str, *metric_keys: str) -> tuple:
    run = ok(api.get(f"{API}/runs/get", params={"run_id": run_id}))["run"]
    histories = [
        ok(api.get(f"{API}/metrics/get-history", params={"run_id": run_id, "metric_key": k}))
        for k in metric_keys
    ]
    return run, histories


def run_ids(api: httpx.Client, experiment_id: str, filter_string: str = "", **extra: Any) -> list:
    body = {"experiment_ids": [experiment_id], "filter": filter_string, **extra}
    return [r["info"]["run_id"] for r in ok(api.post(f"{API}/runs/search", json=body))["runs"]]


def token(content: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(content).encode()).decode()


def random_text(length: int) -> str:
    """Incompressible and 3 bytes a character: PostgreSQL cannot squeeze it into an index."""
    rng = random.Random(length)
    return "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(length))


# --- integers: int64 columns, int32 fields, MLflow's caps ------------------------------------

POINT = {"key": "m", "value": 1.0, "timestamp": 5, "step": 1}


@pytest.mark.parametrize(
    "bad",
    [
        {"timestamp": INT64_MAX + 1},
        {"step": INT64_MAX + 1},
        {"step": INT64_MIN - 1},
        {"timestamp": 1.5},
        {"step": 1e300},
        {"step": "123456789012345678901234567890"},
        {"timestamp": {"ms": 1}},
    ],
)
@pytest.mark.parametrize("endpoint", ["log-metric", "log-batch", "log-batch+param"])
def test_metric_integers_beyond_int64_store_nothing(
    api: httpx.Client, endpoint: str, bad: dict
) -> None:
    run_id = new_run(api)
    ok(api.post(f"{API}/runs/log-metric", json={"run_id": run_id, **POINT}))
    before = run_state(api, run_id, "m", "other")
    point = {**POINT, "step": 2, **bad}
    if endpoint == "log-metric":
        response = api.post(f"{API}/runs/log-metric", json={"run_id": run_id, **point})
    else:
        good = {**POINT, "key": "other"}
        batch = {"run_id": run_id, "metrics": [good, point]}
        if endpoint.endswith("+param"):
            batch["params"] = [{"key": "p", "value": "v"}]
        response = api.post(f"{API}/runs/log-batch", json=batch)
    rejected(api, response)
    assert run_state(api, run_id, "m", "other") == before


def test_metric_steps_at_the_int64_bounds_are_stored(api: httpx.Client) -> None:
    run_id = new_run(api)
    points = [{**POINT, "step": INT64_MIN}, {**POINT, "step": INT64_MAX, "timestamp": INT64_MAX}]
    ok(api.post(f"{API}/runs/log-batch", json={"run_id": run_id, "metrics": points}))
    history = run_state(api, run_id, "m")[1][0]["metrics"]
    assert [(p["step"], p["timestamp"]) for p in history] == [
        (INT64_MIN, 5),
        (INT64_MAX, INT64_MAX),
    ]


def test_run_times_beyond_int64_store_nothing(api: httpx.Client) -> None:
    experiment_id = new_experiment(api)
    created = {"experiment_id": experiment_id, "start_time": INT64_MAX + 1}
    rejected(api, api.post(f"{API}/runs/create", json=created))
    assert run_ids(api, experiment_id) == []
    run_id = new_run(api, experiment_id)
    before = run_state(api, run_id)
    update = {"run_id": run_id, "end_time": INT64_MAX + 1, "status": "FINISHED"}
    rejected(api, api.post(f"{API}/runs/update", json=update))
    assert run_state(api, run_id) == before
    boundary = {"experiment_id": experiment_id, "start_time": INT64_MAX}
    stored = ok(api.post(f"{API}/runs/create", json=boundary))["run"]["info"]
    assert stored["start_time"] == INT64_MAX


@pytest.mark.parametrize(
    ("method", "path", "message"),
    [
        ("POST", "runs/search", {"experiment_ids": ["0"], "max_results": INT32_MAX + 1}),
        ("POST", "runs/search", {"experiment_ids": ["0"], "max_results": 50_001}),
        ("POST", "runs/search", {"experiment_ids": ["0"], "max_results": 0}),
        ("POST", "experiments/search", {"max_results": INT64_MAX + 1}),
        ("POST", "experiments/search", {"max_results": 50_001}),
        ("POST", "logged-models/search", {"experiment_ids": ["0"], "max_results": 50_001}),
        ("POST", "logged-models/search", {"experiment_ids": ["0"], "max_results": 2.5}),
        ("GET", "metrics/get-history", {"metric_key": "m", "max_results": str(INT32_MAX + 1)}),
        ("GET", "metrics/get-history", {"metric_key": "m", "max_results": "0"}),
        ("GET", "metrics/get-history-bulk-interval", {"metric_key": "m", "max_results": "2501"}),
        ("GET", "metrics/get-history-bulk-interval", {"metric_key": "m", "max_results": "0"}),
        ("GET", "metrics/get-history-bulk-interval", {"metric_key": "m", "start_step": "1"}),
        (
            "GET",
            "metrics/get-history-bulk-interval",
            {"metric_key": "m", "start_step": "0", "end_step": str(INT64_MAX + 1)},
        ),
    ],
)
def test_page_sizes_and_steps_beyond_their_types_and_caps(
    api: httpx.Client, method: str, path: str, message: dict
) -> None:
    run_id = new_run(api)
    if method == "GET":
        key = "run_ids" if "bulk" in path else "run_id"
        response = api.get(f"{API}/{path}", params={key: run_id, **message})
    else:
        response = api.post(f"{API}/{path}", json=message)
    rejected(api, response)


def test_mlflow_page_size_caps_themselves_are_accepted(api: httpx.Client) -> None:
    run_id = new_run(api)
    ok(api.post(f"{API}/runs/search", json={"experiment_ids": ["0"], "max_results": 50_000}))
    bulk = {"run_ids": run_id, "metric_key": "m", "max_results": "2500"}
    assert ok(api.get(f"{API}/metrics/get-history-bulk-interval", params=bulk)) == {"metrics": []}


# --- page tokens: the client's to send back, so a forged one is only bad input ---------------

FORGED_OFFSETS = [
    token({"offset": INT64_MAX + 1}),
    token({"offset": -1}),
    token({"offset": 1.5}),
    token({"offset": "7"}),
    token({"offset": True}),
    token({"offset": 1e300}),
    token([1]),
    token({"after": 1}),
    base64.urlsafe_b64encode(b"not json").decode(),
    "%%% not base64",
]


@pytest.mark.parametrize("forged", FORGED_OFFSETS)
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("runs/search", {"experiment_ids": ["0"]}),
        ("experiments/search", {}),
        ("logged-models/search", {"experiment_ids": ["0"]}),
    ],
)
def test_forged_search_page_tokens(
    api: httpx.Client, path: str, message: dict, forged: str
) -> None:
    rejected(api, api.post(f"{API}/{path}", json={**message, "page_token": forged}))


@pytest.mark.parametrize(
    "forged",
    [
        token({"after": [INT64_MAX + 1, 0, 0.0]}),
        token({"after": [0, INT64_MIN - 1, 0.0]}),
        token({"after": [0.5, 0, 0.0]}),
        token({"after": [0, True, 0.0]}),
        token({"after": [0, 0, "lots"]}),
        token({"after": [0, 0, None]}),
        token({"after": [0, 0]}),
        token({"after": "0,0,0"}),
        token({"offset": 3}),
    ],
)
def test_forged_metric_history_cursors(api: httpx.Client, forged: str) -> None:
    run_id = new_run(api)
    ok(api.post(f"{API}/runs/log-metric", json={"run_id": run_id, **POINT}))
    query = {"run_id": run_id, "metric_key": "m", "max_results": "1", "page_token": forged}
    rejected(api, api.get(f"{API}/metrics/get-history", params=query))


def test_history_cursors_through_non_finite_values(api: httpx.Client) -> None:
    """The server's own tokens carry NaN and infinities as strings; they still decode."""
    run_id = new_run(api)
    values = ["-Infinity", 0.5, "NaN", "Infinity"]
    points = [{**POINT, "value": v, "timestamp": 7} for v in values]
    ok(api.post(f"{API}/runs/log-batch", json={"run_id": run_id, "metrics": points}))
    seen, page_token = [], None
    while True:
        query = {"run_id": run_id, "metric_key": "m", "max_results": "1"}
        page = ok(
            api.get(
                f"{API}/metrics/get-history",
                params={**query, **({"page_token": page_token} if page_token else {})},
            )
        )
        seen += [p["value"] for p in page["metrics"]]
        page_token = page.get("next_page_token")
        if not page_token:
            break
    # History order is (timestamp, step, value), and PostgreSQL puts NaN above every number.
    assert seen == ["-Infinity", 0.5, "Infinity", "NaN"]


# --- ids and JSON types ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "message", "status"),
    [
        ("GET", "runs/get", {"run_id": "A" * 32}, 400),
        ("GET", "runs/get", {"run_id": "a" * 31}, 400),
        ("GET", "runs/get", {"run_id": "a" * 300}, 400),
        ("GET", "runs/get", {"run_id": uuid.uuid4().hex}, 404),
        ("GET", "experiments/get", {"experiment_id": str(INT64_MAX + 1)}, 400),
        ("GET", "experiments/get", {"experiment_id": "-1"}, 400),
        ("GET", "experiments/get", {"experiment_id": "1e3"}, 400),
        ("GET", "experiments/get", {"experiment_id": str(INT64_MAX)}, 404),
        ("POST", "runs/create", {"experiment_id": {"id": "0"}}, 400),
        ("POST", "runs/create", {"experiment_id": ["0"]}, 400),
        ("POST", "runs/create", {"experiment_id": True}, 400),
        ("POST", "runs/create", {"experiment_id": str(INT64_MAX + 1)}, 400),
        ("POST", "runs/create", {"experiment_id": str(INT64_MAX)}, 404),
        ("POST", "runs/search", {"experiment_ids": [str(INT64_MAX + 1)]}, 400),
        ("POST", "runs/search", {"experiment_ids": [{"id": 0}]}, 400),
        ("POST", "runs/search", {"experiment_ids": "0"}, 400),
        ("POST", "logged-models/search", {"experiment_ids": [str(INT64_MAX + 1)]}, 400),
        ("POST", "logged-models", {"experiment_id": "zero"}, 400),
        ("POST", "logged-models", {"experiment_id": "0", "source_run_id": "r" * 40}, 400),
        ("POST", "logged-models", {"experiment_id": "0", "source_run_id": uuid.uuid4().hex}, 404),
        ("POST", "experiments/create", {"name": 5}, 400),
        ("POST", "experiments/create", {"name": {"first": "x"}}, 400),
        ("POST", "experiments/set-experiment-tag", {"experiment_id": 0.5, "key": "k"}, 400),
    ],
)
def test_ids_and_names_of_the_wrong_shape(
    api: httpx.Client, method: str, path: str, message: dict, status: int
) -> None:
    """A malformed id is a 400; a well-formed one that names nothing is MLflow's 404."""
    if method == "GET":
        response = api.get(f"{API}/{path}", params=message)
    else:
        response = api.post(f"{API}/{path}", json=message)
    rejected(api, response, status)


RUN_WRITES = [
    ("log-parameter", {"key": 5, "value": "v"}),
    ("log-parameter", {"key": "p", "value": {"v": 1}}),
    ("log-parameter", {"key": ["p"], "value": "v"}),
    ("set-tag", {"key": {"k": 1}, "value": "v"}),
    ("set-tag", {"key": "t", "value": ["v"]}),
    ("log-metric", {**POINT, "key": 7}),
    ("log-metric", {**POINT, "value": {"v": 1}}),
    ("log-metric", {**POINT, "model_id": "m-" + "a" * 40}),
    ("log-metric", {**POINT, "model_id": 12}),
    ("log-batch", {"params": [{"key": {"k": 1}, "value": "v"}]}),
    ("log-batch", {"tags": [{"key": "t", "value": 1.5}]}),
    ("log-inputs", {"models": [{"model_id": "M-" + "a" * 32}]}),
    ("log-inputs", {"models": [{"model_id": "m-" + "a" * 33}]}),
    ("outputs", {"models": [{"model_id": "m-short", "step": 1}]}),
    ("outputs", {"models": [{"model_id": "m-" + "b" * 32, "step": INT64_MAX + 1}]}),
    ("log-metric", {"run_id": 12345}),
    ("log-metric", {"run_id": "F" * 32}),
]


@pytest.mark.parametrize(("endpoint", "fields"), RUN_WRITES)
def test_run_writes_of_the_wrong_shape_store_nothing(
    api: httpx.Client, endpoint: str, fields: dict
) -> None:
    run_id = new_run(api)
    before = run_state(api, run_id, "m")
    message = {"run_id": run_id, **(POINT if endpoint == "log-metric" else {}), **fields}
    rejected(api, api.post(f"{API}/runs/{endpoint}", json=message))
    assert run_state(api, run_id, "m") == before


def test_metric_naming_an_unknown_logged_model_is_404_and_stores_nothing(
    api: httpx.Client,
) -> None:
    run_id = new_run(api)
    before = run_state(api, run_id, "m", "other")
    unknown = f"m-{uuid.uuid4().hex}"
    point = {"run_id": run_id, **POINT, "model_id": unknown}
    message = rejected(api, api.post(f"{API}/runs/log-metric", json=point), 404)
    assert unknown in message
    batch = {
        "run_id": run_id,
        "metrics": [{**POINT, "key": "other"}, {**POINT, "model_id": unknown}],
    }
    rejected(api, api.post(f"{API}/runs/log-batch", json=batch), 404)
    assert run_state(api, run_id, "m", "other") == before


# --- text within MLflow's limits is stored; beyond them, MLflow's 400 ----------------------


def test_values_at_mlflow_limits_are_stored_and_found(api: httpx.Client) -> None:
    experiment_id = new_experiment(api)
    run_id, twin_id = new_run(api, experiment_id), new_run(api, experiment_id)
    key = "".join(random.Random(1).choices(WIDE_LETTERS, k=250))
    param, tag = random_text(6000), random_text(8000)
    # The twin's values share the first 5,999 characters: only a whole-value test tells them
    # apart (the index holds a prefix).
    twin_param = param[:-1] + ("x" if param[-1] != "x" else "y")
    for run, value in ((run_id, param), (twin_id, twin_param)):
        batch = {
            "run_id": run,
            "params": [{"key": key, "value": value}, {"key": "short", "value": "rf"}],
            "tags": [{"key": key, "value": tag}],
            "metrics": [{**POINT, "key": key}],
        }
        ok(api.post(f"{API}/runs/log-batch", json=batch))
    data = run_state(api, run_id)[0]["data"]
    assert {p["key"]: p["value"] for p in data["params"]} == {key: param, "short": "rf"}
    assert {t["key"]: t["value"] for t in data["tags"]}[key] == tag
    assert [m["key"] for m in data["metrics"]] == [key]
    quoted = f"params.`{key}`"
    assert run_ids(api, experiment_id, f"{quoted} = '{param}'") == [run_id]
    assert sorted(run_ids(api, experiment_id, f"{quoted} IN ('{param}', '{twin_param}')")) == (
        sorted([run_id, twin_id])
    )
    assert run_ids(api, experiment_id, f"{quoted} = '{param[:256]}'") == []
    assert sorted(run_ids(api, experiment_id, f"tags.`{key}` = '{tag}'")) == sorted(
        [run_id, twin_id]
    )
    assert len(run_ids(api, experiment_id, "params.short = 'rf'")) == 2
    assert run_ids(api, experiment_id, "params.short = 'r'") == []


def test_experiment_dataset_and_logged_model_text_at_mlflow_limits(api: httpx.Client) -> None:
    name = "".join(random.Random(2).choices(WIDE_LETTERS, k=500))
    experiment_id = ok(api.post(f"{API}/experiments/create", json={"name": name}))["experiment_id"]
    tag_value = random_text(20_000)
    tag = {"experiment_id": experiment_id, "key": "k" * 250, "value": tag_value}
    ok(api.post(f"{API}/experiments/set-experiment-tag", json=tag))
    experiment = ok(api.get(f"{API}/experiments/get", params={"experiment_id": experiment_id}))
    assert experiment["experiment"]["name"] == name
    assert experiment["experiment"]["tags"] == [{"key": "k" * 250, "value": tag_value}]

    run_id = new_run(api, experiment_id)
    dataset = {
        "name": "".join(random.Random(3).choices(WIDE_LETTERS, k=500)),
        "digest": "".join(random.Random(4).choices(WIDE_LETTERS, k=36)),
        "source_type": "code",
        "source": random_text(2000),
    }
    ok(
        api.post(
            f"{API}/runs/log-inputs",
            json={
                "run_id": run_id,
                "datasets": [
                    {"dataset": dataset, "tags": [{"key": "mlflow.data.context", "value": "train"}]}
                ],
            },
        )
    )
    [logged] = run_state(api, run_id)[0]["inputs"]["dataset_inputs"]
    assert logged["dataset"]["name"] == dataset["name"]
    assert logged["dataset"]["digest"] == dataset["digest"]

    model = {
        "experiment_id": experiment_id,
        "params": [{"key": "p", "value": random_text(6000)}],
        "tags": [{"key": "t", "value": random_text(8000)}],
    }
    created = ok(api.post(f"{API}/logged-models", json=model))["model"]
    assert created["data"]["params"] == model["params"]
    assert created["info"]["tags"] == model["tags"]


@pytest.mark.parametrize(
    ("endpoint", "fields"),
    [
        ("log-parameter", {"key": "p", "value": "v" * 6001}),
        ("log-parameter", {"key": WIDE_LETTERS[0] * 251, "value": "v"}),
        ("set-tag", {"key": "t", "value": "v" * 8001}),
        ("log-metric", {**POINT, "key": WIDE_LETTERS[1] * 251}),
        ("log-batch", {"params": [{"key": "ok", "value": "v"}, {"key": "p", "value": "v" * 6001}]}),
        ("log-batch", {"tags": [{"key": "ok", "value": "v"}, {"key": "t", "value": "v" * 8001}]}),
    ],
)
def test_text_beyond_mlflow_limits_stores_nothing(
    api: httpx.Client, endpoint: str, fields: dict
) -> None:
    """MLflow's own limits, answered as MLflow's server does with MLFLOW_TRUNCATE_LONG_VALUES
    off (ours never shortens a value silently)."""
    run_id = new_run(api)
    before = run_state(api, run_id, "m")
    rejected(api, api.post(f"{API}/runs/{endpoint}", json={"run_id": run_id, **fields}))
    assert run_state(api, run_id, "m") == before


def test_experiment_name_beyond_mlflow_limit_creates_nothing(api: httpx.Client) -> None:
    name = WIDE_LETTERS[2] * 501
    rejected(api, api.post(f"{API}/experiments/create", json={"name": name}))
    found = api.get(f"{API}/experiments/get-by-name", params={"experiment_name": name})
    rejected(api, found, 404)


# --- numbers inside filters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "runs/search",
            {"experiment_ids": ["0"], "filter": "attributes.start_time > 99999999999999999999"},
        ),
        ("runs/search", {"experiment_ids": ["0"], "filter": f"end_time < {INT64_MIN - 1}"}),
        ("runs/search", {"experiment_ids": ["0"], "filter": "start_time > 1e19"}),
        ("runs/search", {"experiment_ids": ["0"], "filter": "created >= " + "9" * 5000}),
        ("experiments/search", {"filter": "creation_time > 99999999999999999999"}),
        ("logged-models/search", {"experiment_ids": ["0"], "filter": "creation_time < -1e300"}),
    ],
)
def test_integer_attributes_refuse_numbers_beyond_int64(
    api: httpx.Client, path: str, message: dict
) -> None:
    assert "64-bit" in rejected(api, api.post(f"{API}/{path}", json=message))


def test_metric_filters_compare_any_number_as_a_double(api: httpx.Client) -> None:
    experiment_id = new_experiment(api)
    run_id = new_run(api, experiment_id)
    ok(api.post(f"{API}/runs/log-metric", json={"run_id": run_id, **POINT, "value": 1e21}))
    assert run_ids(api, experiment_id, "metrics.m > 99999999999999999999") == [run_id]
    assert run_ids(api, experiment_id, "metrics.m > 1" + "0" * 5000) == []
    assert run_ids(api, experiment_id, f"attributes.start_time < {INT64_MAX}") == [run_id]


# --- filter and order_by limits, and filters at the limit ----------------------------------


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("runs/search", {"experiment_ids": ["0"]}),
        ("experiments/search", {}),
        ("logged-models/search", {"experiment_ids": ["0"]}),
    ],
)
def test_filter_limits(api: httpx.Client, path: str, message: dict) -> None:
    clause = "tags.t = 'x'"
    at_limit = " and ".join([clause] * 100)
    ok(api.post(f"{API}/{path}", json={**message, "filter": at_limit}))
    message_text = rejected(
        api, api.post(f"{API}/{path}", json={**message, "filter": f"{at_limit} and {clause}"})
    )
    assert "100" in message_text
    huge = f"tags.t = '{'x' * (64 * 1024)}'"
    assert "65536" in rejected(api, api.post(f"{API}/{path}", json={**message, "filter": huge}))
    if path == "logged-models/search":
        order = [{"field_name": "creation_timestamp"}] * 11
    else:
        order = [f"{'start_time' if path == 'runs/search' else 'name'} DESC"] * 11
    rejected(api, api.post(f"{API}/{path}", json={**message, "order_by": order}))


def test_logged_model_dataset_filters_are_bounded(api: httpx.Client) -> None:
    datasets = [{"dataset_name": f"d{i}"} for i in range(101)]
    message = {"experiment_ids": ["0"], "datasets": datasets}
    rejected(api, api.post(f"{API}/logged-models/search", json=message))
    ok(api.post(f"{API}/logged-models/search", json={**message, "datasets": datasets[:100]}))


def test_nul_inside_a_filter_literal_is_refused(api: httpx.Client) -> None:
    message = {"experiment_ids": ["0"], "filter": "params.p = 'a\u0000b'"}
    rejected(api, api.post(f"{API}/runs/search", json=message))


def _runs_with_data(api: httpx.Client, experiment_id: str, count: int) -> None:
    rng = random.Random(11)
    for index in range(count):
        run_id = new_run(api, experiment_id)
        params = [{"key": "kind", "value": rng.choice(["a", "ab", "b"])}]
        if rng.random() < 0.8:
            params.append({"key": "lr", "value": rng.choice(["1", "2"])})
        tags = [{"key": "team", "value": rng.choice(["x", "y"])}] if rng.random() < 0.8 else []
        if rng.random() < 0.3:
            tags.append({"key": "stage", "value": "dev"})
        metrics = [
            {**POINT, "key": key, "value": rng.choice(["NaN", 0.1, 0.5, 0.9, rng.random()])}
            for key in ("acc", "loss")
            if rng.random() < 0.85
        ]
        batch = {"run_id": run_id, "params": params, "tags": tags, "metrics": metrics}
        ok(api.post(f"{API}/runs/log-batch", json=batch))
        if index % 4:
            dataset = {"name": f"d{index % 2}", "digest": "x", "source_type": "code", "source": ""}
            context = {"key": "mlflow.data.context", "value": rng.choice(["train", "eval"])}
            entry = {"dataset": dataset, "tags": [context]}
            ok(api.post(f"{API}/runs/log-inputs", json={"run_id": run_id, "datasets": [entry]}))


# Mostly broad comparisons, so that several together still select runs.
RUN_COMPARISONS = [
    "params.kind LIKE '%'",
    "params.kind IN ('a', 'ab')",
    "params.kind != 'b'",
    "params.lr != '2'",
    "params.lr IS NOT NULL",
    "tags.team IS NOT NULL",
    "tags.stage IS NULL",
    "tags.team != 'q'",
    "metrics.acc >= 0",
    "metrics.acc != 0.5",
    "metrics.loss <= 0.95",
    "datasets.name != 'zz'",
    "datasets.context = 'train'",
    "attributes.status = 'RUNNING'",
]


def test_wide_run_filters_match_the_intersection_of_their_comparisons(api: httpx.Client) -> None:
    """Past four subqueries a filter checks the rest per table (search_sql.where_clauses); one
    comparison alone is a plain EXISTS. Both must select the same runs."""
    experiment_id = new_experiment(api)
    _runs_with_data(api, experiment_id, 40)
    alone = {c: set(run_ids(api, experiment_id, c)) for c in RUN_COMPARISONS}
    rng = random.Random(5)
    non_empty = 0
    for size in (5, 6, 8, 10, len(RUN_COMPARISONS)):
        for _ in range(4):
            chosen = rng.sample(RUN_COMPARISONS, size)
            expected = set.intersection(*(alone[c] for c in chosen))
            assert set(run_ids(api, experiment_id, " and ".join(chosen))) == expected, chosen
            non_empty += bool(expected)
    assert non_empty >= 15
    # In the list's order the IS NULL, tag and dataset comparisons come past the fourth.
    expected = set.intersection(*alone.values())
    assert expected
    assert set(run_ids(api, experiment_id, " and ".join(RUN_COMPARISONS))) == expected
    # The first sort key carried by the filter (a join, not a subquery), with five others.
    wide = "metrics.acc > 0.3 and params.kind LIKE '%' and tags.stage IS NULL and " + (
        "params.lr != '9' and metrics.loss > -1 and tags.team IS NOT NULL"
    )
    order = {"order_by": ["metrics.acc DESC"]}
    narrow = run_ids(api, experiment_id, "metrics.acc > 0.3", **order)
    members = set.intersection(*(set(run_ids(api, experiment_id, c)) for c in wide.split(" and ")))
    assert run_ids(api, experiment_id, wide, **order) == [r for r in narrow if r in members]


def test_wide_experiment_and_logged_model_filters_match_their_intersections(
    api: httpx.Client,
) -> None:
    prefix = f"wide-{uuid.uuid4().hex[:8]}"
    rng = random.Random(8)
    experiment_ids = []
    for index in range(10):
        tags = [
            {"key": f"t{k}", "value": rng.choice(["x", "y"])}
            for k in range(5)
            if rng.random() < 0.7
        ]
        created = {"name": f"{prefix}-{index}", "tags": tags}
        experiment_ids.append(
            ok(api.post(f"{API}/experiments/create", json=created))["experiment_id"]
        )
    pool = [f"tags.t{k} = 'x'" for k in range(5)] + [
        "tags.t0 IS NULL",
        "tags.t1 IS NOT NULL",
        "tags.t2 != 'y'",
    ]

    def experiments(filter_string: str) -> set[str]:
        message = {"filter": f"name LIKE '{prefix}-%' and {filter_string}", "max_results": 100}
        found = ok(api.post(f"{API}/experiments/search", json=message))["experiments"]
        return {e["experiment_id"] for e in found}

    alone = {c: experiments(c) for c in pool}
    for size in (5, 6, len(pool)):
        chosen = rng.sample(pool, size)
        assert experiments(" and ".join(chosen)) == set.intersection(*(alone[c] for c in chosen))

    experiment_id = experiment_ids[0]
    run_id = new_run(api, experiment_id)
    for _ in range(10):
        model = {
            "experiment_id": experiment_id,
            "params": [{"key": f"p{k}", "value": rng.choice(["a", "b"])} for k in range(3)],
            "tags": [{"key": "t", "value": rng.choice(["a", "b"])}],
        }
        model_id = ok(api.post(f"{API}/logged-models", json=model))["model"]["info"]["model_id"]
        for key in ("acc", "loss"):
            point = {
                "run_id": run_id,
                **POINT,
                "key": key,
                "value": rng.random(),
                "model_id": model_id,
            }
            ok(api.post(f"{API}/runs/log-metric", json=point))
    model_pool = [
        "params.p0 = 'a'",
        "params.p1 != 'a'",
        "params.p2 LIKE 'b'",
        "tags.t = 'a'",
        "metrics.acc > 0.4",
        "metrics.loss < 0.7",
        "tags.t ILIKE 'A'",
    ]

    def models(filter_string: str) -> set[str]:
        message = {"experiment_ids": [experiment_id], "filter": filter_string}
        found = ok(api.post(f"{API}/logged-models/search", json=message))["models"]
        return {m["info"]["model_id"] for m in found}

    alone = {c: models(c) for c in model_pool}
    for size in (5, 6, len(model_pool)):
        chosen = rng.sample(model_pool, size)
        assert models(" and ".join(chosen)) == set.intersection(*(alone[c] for c in chosen))


async def test_a_filter_at_the_limit_reads_each_table_once(database_url: str) -> None:
    """100 comparisons on params, tags and metrics plan as a few semi-joins and one check per
    table, not as 100 semi-joins whose join orders PostgreSQL would search; and equality on a
    param still goes through the (key, left(value, 256)) index."""
    from sqlalchemy import select
    from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

    from services.core.db.tables.tracking import runs
    from services.core.search_sql import JOINED_SUBQUERIES
    from services.tracking.runs.search import translate

    def statement(filter_string: str) -> tuple[str, list]:
        query = translate(filter_string, []).apply(select(runs)).limit(10)
        compiled = query.compile(
            dialect=asyncpg_dialect.dialect(), compile_kwargs={"render_postcompile": True}
        )
        return str(compiled), [compiled.params[name] for name in compiled.positiontup]

    def scans(plan: dict) -> list[str]:
        own = [plan["Relation Name"]] if "Relation Name" in plan else []
        return own + [name for child in plan.get("Plans", []) for name in scans(child)]

    kinds = ["params.p{} = 'x'", "tags.t{} LIKE 'a%'", "metrics.m{} > 1", "params.q{} != 'y'"]
    wide, wide_args = statement(" and ".join(kinds[i % 4].format(i) for i in range(100)))
    equality, equality_args = statement("params.model = 'rf'")
    conn = await asyncpg.connect(database_url)
    try:
        plan = json.loads(await conn.fetchval(f"EXPLAIN (FORMAT JSON) {wide}", *wide_args))
        keyed = [t for t in scans(plan[0]["Plan"]) if t in ("params", "tags", "latest_metrics")]
        assert len(keyed) <= JOINED_SUBQUERIES + 3, keyed
        async with conn.transaction():
            await conn.execute("SET LOCAL enable_seqscan = off")
            lines = await conn.fetch(f"EXPLAIN {equality}", *equality_args)
        assert "ix_params_key_value_prefix" in "\n".join(line[0] for line in lines)
    finally:
        await conn.close()
