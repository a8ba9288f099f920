"""MLflow's tracking semantics, exactly: latest metrics, lifecycle, search, datasets, models."""

import random
import uuid

import httpx
import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric, ViewType
from mlflow.exceptions import MlflowException

API = "/api/2.0/mlflow"


def test_latest_metric_is_highest_step_then_timestamp_then_value(mlflow_experiment: str) -> None:
    client = MlflowClient()
    run_id = client.create_run(mlflow_experiment).info.run_id
    points = [
        Metric("m", 5.0, 100, 3),
        Metric("m", 9.0, 50, 2),  # lower step loses despite the larger value
        Metric("m", 7.0, 200, 3),  # same step, later timestamp wins
        Metric("m", 6.0, 200, 3),  # same step and timestamp: larger value (7.0) wins
        Metric("m", 1.0, 10, 1),
    ]
    for order in range(3):
        random.Random(order).shuffle(points)
        key = f"m{order}"
        for point in points:  # one request per point, arriving in shuffled order
            client.log_metric(run_id, key, point.value, point.timestamp, point.step)
        assert client.get_run(run_id).data.metrics[key] == 7.0
    batch_key_points = [Metric("b", p.value, p.timestamp, p.step) for p in points]
    client.log_batch(run_id, metrics=batch_key_points)
    assert client.get_run(run_id).data.metrics["b"] == 7.0


def test_identical_points_are_deduplicated_so_retries_are_idempotent(api: httpx.Client) -> None:
    run_id = api.post(f"{API}/runs/create", json={"experiment_id": "0"}).json()["run"]["info"][
        "run_id"
    ]
    batch = {
        "run_id": run_id,
        "metrics": [{"key": "m", "value": i, "timestamp": 1, "step": i} for i in range(10)],
    }
    for _ in range(3):
        assert api.post(f"{API}/runs/log-batch", json=batch).status_code == 200

    def steps() -> list[int]:
        history = api.get(
            f"{API}/metrics/get-history", params={"run_id": run_id, "metric_key": "m"}
        )
        return sorted(point["step"] for point in history.json()["metrics"])

    assert steps() == list(range(10))
    # Repeats mixed with new points, and a point repeated inside one batch: the new ones are
    # stored once each (the optimistic plain insert fails whole and the batch is re-sent).
    mixed = [{"key": "m", "value": i, "timestamp": 1, "step": i} for i in (8, 9, 10, 11, 11)]
    assert api.post(f"{API}/runs/log-batch", json={**batch, "metrics": mixed}).status_code == 200
    # The same in a batch that also logs a param (the transactional path).
    with_param = {
        **batch,
        "metrics": [*mixed, {"key": "m", "value": 12, "timestamp": 1, "step": 12}],
        "params": [{"key": "p", "value": "1"}],
    }
    assert api.post(f"{API}/runs/log-batch", json=with_param).status_code == 200
    assert steps() == list(range(13))
    run = api.get(f"{API}/runs/get", params={"run_id": run_id}).json()["run"]
    assert {m["key"]: m["step"] for m in run["data"]["metrics"]} == {"m": 12}


def test_deleted_runs_hidden_but_restorable(mlflow_experiment: str) -> None:
    client = MlflowClient()
    kept = client.create_run(mlflow_experiment).info.run_id
    deleted = client.create_run(mlflow_experiment).info.run_id
    client.delete_run(deleted)

    def ids(view: int) -> set[str]:
        return {r.info.run_id for r in client.search_runs([mlflow_experiment], run_view_type=view)}

    assert ids(ViewType.ACTIVE_ONLY) == {kept}
    assert ids(ViewType.DELETED_ONLY) == {deleted}
    assert ids(ViewType.ALL) == {kept, deleted}
    assert client.get_run(deleted).info.lifecycle_stage == "deleted"
    client.restore_run(deleted)
    assert ids(ViewType.ACTIVE_ONLY) == {kept, deleted}


def test_experiment_lifecycle_rename_tags_and_search(tracking_uri: str) -> None:
    client = MlflowClient()
    prefix = f"life-{uuid.uuid4().hex[:8]}"
    first = client.create_experiment(f"{prefix}-a", tags={"owner": "ana"})
    second = client.create_experiment(f"{prefix}-b")
    run_id = client.create_run(first).info.run_id

    client.rename_experiment(second, f"{prefix}-renamed")
    assert client.get_experiment(second).name == f"{prefix}-renamed"
    client.set_experiment_tag(second, "owner", "bo")
    client.delete_experiment_tag(second, "owner")
    assert "owner" not in client.get_experiment(second).tags

    client.delete_experiment(first)
    assert client.get_experiment(first).lifecycle_stage == "deleted"
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    active = client.search_experiments(filter_string=f"name LIKE '{prefix}%'")
    assert [e.experiment_id for e in active] == [second]
    deleted = client.search_experiments(
        view_type=ViewType.DELETED_ONLY, filter_string=f"name LIKE '{prefix}%'"
    )
    assert [e.experiment_id for e in deleted] == [first]
    with pytest.raises(MlflowException) as raised:
        client.create_experiment(f"{prefix}-a")
    assert raised.value.error_code == "RESOURCE_ALREADY_EXISTS"

    client.restore_experiment(first)
    assert client.get_run(run_id).info.lifecycle_stage == "active"
    by_tag = client.search_experiments(filter_string="tags.owner = 'ana'")
    assert first in [e.experiment_id for e in by_tag]
    ordered = client.search_experiments(
        filter_string=f"name LIKE '{prefix}%'", order_by=["name DESC"]
    )
    assert [e.name for e in ordered] == [f"{prefix}-renamed", f"{prefix}-a"]
    assert client.get_experiment_by_name(f"{prefix}-a").experiment_id == first


def test_default_experiment_zero(tracking_uri: str) -> None:
    experiment = MlflowClient().get_experiment("0")
    assert experiment.name == "Default"
    assert experiment.artifact_location == "mlflow-artifacts:/0"


def test_search_paging_is_complete_and_stable(api: httpx.Client) -> None:
    experiment_id = api.post(
        f"{API}/experiments/create", json={"name": f"paging-{uuid.uuid4().hex}"}
    ).json()["experiment_id"]
    created = set()
    for index in range(23):
        run = api.post(
            f"{API}/runs/create",
            # Equal start times force the run_id tie-break to make paging deterministic.
            json={"experiment_id": experiment_id, "start_time": 1000 + index % 3},
        ).json()["run"]
        created.add(run["info"]["run_id"])
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        body = {"experiment_ids": [experiment_id], "max_results": 5}
        if token:
            body["page_token"] = token
        page = api.post(f"{API}/runs/search", json=body).json()
        seen += [r["info"]["run_id"] for r in page["runs"]]
        pages += 1
        token = page.get("next_page_token")
        if not token:
            break
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == created
    whole = api.post(
        f"{API}/runs/search", json={"experiment_ids": [experiment_id], "max_results": 50000}
    )
    assert [r["info"]["run_id"] for r in whole.json()["runs"]] == seen
    too_many = api.post(
        f"{API}/runs/search", json={"experiment_ids": [experiment_id], "max_results": 50001}
    )
    assert too_many.status_code == 400


def test_search_grammar_on_attributes_tags_params(mlflow_experiment: str) -> None:
    client = MlflowClient()
    runs = {}
    for name, status, tag in [
        ("alpha-1", "FINISHED", "x"),
        ("alpha-2", "FAILED", None),
        ("beta", "FINISHED", "y"),
    ]:
        run = client.create_run(mlflow_experiment, run_name=name, start_time=1_000)
        if tag:
            client.set_tag(run.info.run_id, "kind", tag)
        client.log_param(run.info.run_id, "opt", name.upper())
        client.set_terminated(run.info.run_id, status)
        runs[name] = run.info.run_id

    def names(filter_string: str, order_by: list[str] | None = None) -> list[str]:
        found = client.search_runs(
            [mlflow_experiment], filter_string, order_by=order_by or ["attributes.run_name ASC"]
        )
        return [r.info.run_name for r in found]

    assert names("attributes.status = 'FAILED'") == ["alpha-2"]
    assert names("attributes.run_name LIKE 'alpha%'") == ["alpha-1", "alpha-2"]
    assert names("run_name ILIKE 'ALPHA%'") == ["alpha-1", "alpha-2"]
    assert names("params.opt ILIKE 'beta'") == ["beta"]
    assert names("params.opt LIKE 'beta'") == []
    assert names("tags.kind IS NULL") == ["alpha-2"]
    assert names("tags.kind IS NOT NULL") == ["alpha-1", "beta"]
    assert names("tags.kind != 'x'") == ["beta"]
    assert names(f"attributes.run_id IN ('{runs['beta']}', '{runs['alpha-1']}')") == [
        "alpha-1",
        "beta",
    ]
    assert names(f"attributes.run_id NOT IN ('{runs['beta']}')") == ["alpha-1", "alpha-2"]
    assert names("attributes.start_time >= 1000 and attributes.end_time > 0") == [
        "alpha-1",
        "alpha-2",
        "beta",
    ]
    assert names("", order_by=["tags.kind DESC"]) == ["beta", "alpha-1", "alpha-2"]
    assert names("", order_by=["tags.kind ASC"]) == ["alpha-1", "beta", "alpha-2"]


def test_metric_order_puts_nan_then_missing_last(mlflow_experiment: str) -> None:
    client = MlflowClient()
    values = {"low": 0.1, "high": 0.9, "nan": float("nan"), "none": None}
    for name, value in values.items():
        run_id = client.create_run(mlflow_experiment, run_name=name).info.run_id
        if value is not None:
            client.log_metric(run_id, "score", value)
    for direction, expected in [
        ("DESC", ["high", "low", "nan", "none"]),
        ("ASC", ["low", "high", "nan", "none"]),
    ]:
        found = client.search_runs([mlflow_experiment], order_by=[f"metrics.score {direction}"])
        assert [r.info.run_name for r in found] == expected
    above = client.search_runs([mlflow_experiment], "metrics.score > 0.05")
    assert {r.info.run_name for r in above} == {"low", "high"}


@pytest.mark.parametrize("direction", ["DESC", "ASC"])
def test_filtering_and_ordering_on_one_metric_pages_like_a_full_sort(
    mlflow_experiment: str, direction: str
) -> None:
    """The search reads such pages in index order (the metric is the first sort key and the
    filter requires it): same runs, same order, same pages as sorting every run."""
    client = MlflowClient()
    rng = random.Random(7)
    runs = []
    for _ in range(40):
        start = 1_000 + rng.randrange(5)  # ties on start_time too, broken by run id
        run_id = client.create_run(mlflow_experiment, start_time=start).info.run_id
        score = rng.choice([0.2, 0.5, 0.5, 0.8, float("nan"), None, rng.random()])
        kind = rng.choice(["a", "b"])
        client.log_param(run_id, "kind", kind)
        if score is not None:
            client.log_metric(run_id, "score", score)
        runs.append((run_id, start, score, kind))
    query = "metrics.score >= 0.3 and metrics.score != 0.8 and params.kind = 'a'"
    matching = [
        r for r in runs if r[2] is not None and r[2] == r[2] and r[2] >= 0.3 and r[2] != 0.8
    ]
    matching = [r for r in matching if r[3] == "a"]
    sign = -1 if direction == "DESC" else 1
    expected = [r[0] for r in sorted(matching, key=lambda r: (sign * r[2], -r[1], r[0]))]
    found, token = [], None
    while True:
        page = client.search_runs(
            [mlflow_experiment],
            query,
            order_by=[f"metrics.score {direction}"],
            max_results=3,
            page_token=token,
        )
        found += [r.info.run_id for r in page]
        token = page.token
        if not token:
            break
    assert len(expected) > 5
    assert found == expected


def test_update_run_name_and_status_and_delete_tag(mlflow_experiment: str) -> None:
    client = MlflowClient()
    run_id = client.create_run(mlflow_experiment, tags={"temp": "1"}).info.run_id
    client.update_run(run_id, status="KILLED", name="renamed")
    client.delete_tag(run_id, "temp")
    run = client.get_run(run_id)
    assert run.info.run_name == "renamed"
    assert run.data.tags["mlflow.runName"] == "renamed"
    assert run.info.status == "KILLED"
    assert "temp" not in run.data.tags


def test_log_input_dataset_and_search_by_dataset(mlflow_experiment: str) -> None:
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [0, 1, 0]})
    dataset = mlflow.data.from_pandas(frame, name="iris-mini", targets="y")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training", tags={"split": "train"})
    with mlflow.start_run():
        mlflow.log_param("unrelated", 1)
    fetched = MlflowClient().get_run(run.info.run_id)
    [entry] = fetched.inputs.dataset_inputs
    assert entry.dataset.name == "iris-mini"
    assert entry.dataset.digest == dataset.digest
    assert entry.dataset.source_type == dataset.source.__class__._get_source_type()
    assert entry.dataset.schema
    assert {t.key: t.value for t in entry.tags}["mlflow.data.context"] == "training"
    found = mlflow.search_runs(
        experiment_ids=[mlflow_experiment],
        filter_string="datasets.name = 'iris-mini' and datasets.context = 'training'",
        output_format="list",
    )
    assert [r.info.run_id for r in found] == [run.info.run_id]
    digest = mlflow.search_runs(
        experiment_ids=[mlflow_experiment],
        filter_string=f"datasets.digest IN ('{dataset.digest}')",
        output_format="list",
    )
    assert [r.info.run_id for r in digest] == [run.info.run_id]


def test_sklearn_log_model_creates_logged_model_linked_to_run(mlflow_experiment: str) -> None:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(
            model, name="model", pip_requirements=["scikit-learn"], params={"C": 1.0}
        )
        mlflow.log_metric("acc", 0.75, model_id=info.model_id)
    client = MlflowClient()
    logged = client.get_logged_model(info.model_id)
    assert logged.status == "READY"
    assert logged.source_run_id == run.info.run_id
    assert logged.params == {"C": "1.0"}
    assert [m.value for m in logged.metrics] == [0.75]
    outputs = client.get_run(run.info.run_id).outputs.model_outputs
    assert [o.model_id for o in outputs] == [info.model_id]
    found = client.search_logged_models(
        experiment_ids=[mlflow_experiment], filter_string=f"source_run_id = '{run.info.run_id}'"
    )
    assert [m.model_id for m in found] == [info.model_id]
    for uri in (f"runs:/{run.info.run_id}/model", f"models:/{info.model_id}"):
        loaded = mlflow.sklearn.load_model(uri)
        assert list(loaded.predict([[0.0], [3.0]])) == [0, 1]
    client.set_logged_model_tags(info.model_id, {"stage": "candidate"})
    client.delete_logged_model_tag(info.model_id, "stage")
    assert "stage" not in client.get_logged_model(info.model_id).tags
    client.delete_logged_model(info.model_id)
    with pytest.raises(MlflowException):
        client.get_logged_model(info.model_id)


def test_get_history_bulk_interval_downsamples_per_bucket(api: httpx.Client) -> None:
    run_id = api.post(f"{API}/runs/create", json={"experiment_id": "0"}).json()["run"]["info"][
        "run_id"
    ]
    batch = {
        "run_id": run_id,
        "metrics": [
            {"key": "loss", "value": i / 10, "timestamp": i, "step": i} for i in range(500)
        ],
    }
    api.post(f"{API}/runs/log-batch", json=batch)
    response = api.get(
        f"{API}/metrics/get-history-bulk-interval",
        params={"run_ids": run_id, "metric_key": "loss", "max_results": 10},
    )
    points = response.json()["metrics"]
    steps = [p["step"] for p in points]
    # Three buckets of a rising metric: each gives its first (lowest) and last point.
    assert steps == [0, 166, 167, 333, 334, 499]
    assert all(p["run_id"] == run_id for p in points)
    window = api.get(
        f"{API}/metrics/get-history-bulk-interval",
        params={"run_ids": run_id, "metric_key": "loss", "start_step": 100, "end_step": 104},
    ).json()["metrics"]
    assert [p["step"] for p in window] == [100, 101, 102, 103, 104]


def test_metric_history_paging(api: httpx.Client) -> None:
    run_id = api.post(f"{API}/runs/create", json={"experiment_id": "0"}).json()["run"]["info"][
        "run_id"
    ]
    api.post(
        f"{API}/runs/log-batch",
        json={
            "run_id": run_id,
            "metrics": [{"key": "m", "value": i, "timestamp": i, "step": i} for i in range(25)],
        },
    )
    steps, token = [], None
    while True:
        params = {"run_id": run_id, "metric_key": "m", "max_results": 10}
        if token:
            params["page_token"] = token
        page = api.get(f"{API}/metrics/get-history", params=params).json()
        steps += [m["step"] for m in page["metrics"]]
        token = page.get("next_page_token")
        if not token:
            break
    assert steps == list(range(25))


def _history_pages(api: httpx.Client, run_id: str, page_size: int) -> list[list[dict]]:
    pages, token = [], None
    while True:
        params = {"run_id": run_id, "metric_key": "m", "max_results": page_size}
        page = api.get(
            f"{API}/metrics/get-history",
            params={**params, **({"page_token": token} if token else {})},
        )
        assert page.status_code == 200, page.text
        pages.append(page.json()["metrics"])
        token = page.json().get("next_page_token")
        if not token:
            return pages


def test_history_pages_split_points_of_one_step(api: httpx.Client) -> None:
    """Page boundaries inside runs of equal steps (and equal timestamps): every point exactly
    once, in (timestamp, step, value) order, whatever the page size; a page that ends the
    history carries no token; floats stay floats, NaN and the infinities strings."""
    run_id = api.post(f"{API}/runs/create", json={"experiment_id": "0"}).json()["run"]["info"][
        "run_id"
    ]
    points = [
        {"key": "m", "value": value, "timestamp": timestamp, "step": step}
        for step in (3, 3, 5)
        for timestamp in (10, 11)
        for value in (2.0, -1.5, "NaN", "-Infinity")
    ]
    distinct = {(p["timestamp"], p["step"], str(p["value"])): p for p in points}
    body = {"run_id": run_id, "metrics": list(distinct.values())}
    assert api.post(f"{API}/runs/log-batch", json=body).status_code == 200
    order = {"-Infinity": 0, -1.5: 1, 2.0: 2, "NaN": 3}  # PostgreSQL puts NaN above numbers
    expected = sorted(
        ((p["timestamp"], p["step"], p["value"]) for p in distinct.values()),
        key=lambda p: (p[0], p[1], order[p[2]]),
    )
    for page_size in (1, 3, 4, 16, len(expected)):
        pages = _history_pages(api, run_id, page_size)
        seen = [(m["timestamp"], m["step"], m["value"]) for page in pages for m in page]
        assert seen == expected, page_size
        assert all(len(page) == page_size for page in pages[:-1])
        assert 0 < len(pages[-1]) <= page_size
    assert [type(m["value"]) for m in pages[0][:4]] == [str, float, float, str]
    unpaged = api.get(f"{API}/metrics/get-history", params={"run_id": run_id, "metric_key": "m"})
    assert "next_page_token" not in unpaged.json()
    assert [(m["timestamp"], m["step"], m["value"]) for m in unpaged.json()["metrics"]] == expected


def test_history_of_a_missing_run_or_key(api: httpx.Client) -> None:
    run_id = api.post(f"{API}/runs/create", json={"experiment_id": "0"}).json()["run"]["info"][
        "run_id"
    ]
    empty = api.get(
        f"{API}/metrics/get-history", params={"run_id": run_id, "metric_key": "never-logged"}
    )
    assert empty.status_code == 200 and empty.json().get("metrics", []) == []
    missing = api.get(
        f"{API}/metrics/get-history",
        params={"run_id": uuid.uuid4().hex, "metric_key": "m", "max_results": 5},
    )
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
