"""get-history-bulk-interval: MLflow's contract, with the points picked in SQL per bucket
(lowest, highest and last of each), so a one-step spike survives any downsampling."""

import httpx
import pytest

API = "/api/2.0/mlflow"
BULK = f"{API}/metrics/get-history-bulk-interval"


def new_run(api: httpx.Client) -> str:
    response = api.post(f"{API}/runs/create", json={"experiment_id": "0"})
    assert response.status_code == 200, response.text
    return response.json()["run"]["info"]["run_id"]


def log_points(api: httpx.Client, run_id: str, points: list[tuple[int, float]]) -> None:
    for start in range(0, len(points), 1000):
        batch = [
            {"key": "loss", "value": value, "timestamp": 1_700_000_000_000 + step, "step": step}
            for step, value in points[start : start + 1000]
        ]
        response = api.post(f"{API}/runs/log-batch", json={"run_id": run_id, "metrics": batch})
        assert response.status_code == 200, response.text


def bulk(api: httpx.Client, run_ids: list[str], **params: object) -> list[dict]:
    response = api.get(BULK, params={"run_ids": run_ids, "metric_key": "loss", **params})
    assert response.status_code == 200, response.text
    return response.json()["metrics"]


def test_a_one_step_spike_among_100k_steps_survives_downsampling_to_100(
    api: httpx.Client,
) -> None:
    spiky, smooth = new_run(api), new_run(api)
    log_points(api, spiky, [(s, 1000.0 if s == 77_777 else 1 / (s + 1)) for s in range(100_000)])
    log_points(api, smooth, [(s, float(s)) for s in range(100_000)])

    points = bulk(api, [spiky, smooth], max_results=100)

    by_run = {run: [p for p in points if p["run_id"] == run] for run in (spiky, smooth)}
    assert all(len(run_points) <= 100 for run_points in by_run.values())
    highest = max(by_run[spiky], key=lambda p: p["value"])
    assert (highest["step"], highest["value"]) == (77_777, 1000.0)
    # Ordered by run, then step; each run's first and last steps kept (its extremes here).
    assert [p["run_id"] for p in points] == sorted(p["run_id"] for p in points)
    for run_points in by_run.values():
        steps = [p["step"] for p in run_points]
        assert steps == sorted(steps) and steps[0] == 0 and steps[-1] == 99_999
        assert len(steps) > 50  # the budget is used, not one point per run


def test_a_chart_drawn_again_shows_every_point_logged_since(api: httpx.Client) -> None:
    """The picks of a whole history are kept between drawings; a point logged afterwards, at
    a new step or back-filled at an old one with an old timestamp, is in the next drawing."""
    run_id = new_run(api)
    log_points(api, run_id, [(s, 1.0) for s in range(5_000)])
    first = bulk(api, [run_id], max_results=90)
    assert first == bulk(api, [run_id], max_results=90)
    assert max(p["value"] for p in first) == 1.0

    log_points(api, run_id, [(6_000, 500.0)])
    back_filled = {"key": "loss", "value": -7.0, "timestamp": 1_600_000_000_000, "step": 10}
    response = api.post(f"{API}/runs/log-batch", json={"run_id": run_id, "metrics": [back_filled]})
    assert response.status_code == 200, response.text

    again = bulk(api, [run_id], max_results=90)
    assert len(again) <= 90
    assert (again[-1]["step"], again[-1]["value"]) == (6_000, 500.0)
    lowest = min(again, key=lambda p: p["value"])
    assert (lowest["step"], lowest["value"], lowest["timestamp"]) == (10, -7.0, 1_600_000_000_000)
    # Another resolution is picked afresh, not read from the kept picks.
    assert len(bulk(api, [run_id], max_results=30)) <= 30


def test_every_point_when_the_range_holds_fewer_than_max_results(api: httpx.Client) -> None:
    run_id = new_run(api)
    log_points(api, run_id, [(s, s / 10) for s in range(500)])

    window = bulk(api, [run_id], start_step=100, end_step=104)
    assert [(p["step"], p["value"]) for p in window] == [(s, s / 10) for s in range(100, 105)]
    assert window[0] == {
        "key": "loss",
        "value": 10.0,
        "timestamp": 1_700_000_000_100,
        "step": 100,
        "run_id": run_id,
    }
    assert len(bulk(api, [run_id], max_results=500)) == 500


@pytest.mark.parametrize("max_results", [1, 2, 3, 10])
def test_at_most_max_results_points(api: httpx.Client, max_results: int) -> None:
    run_id = new_run(api)
    log_points(api, run_id, [(s, (-1) ** s * s) for s in range(300)])
    points = bulk(api, [run_id], max_results=max_results)
    assert 1 <= len(points) <= max_results
    assert points[-1]["step"] == 299  # the last point is always kept


def test_the_ui_prefix_serves_the_same_history(api: httpx.Client) -> None:
    run_id = new_run(api)
    log_points(api, run_id, [(s, float(s)) for s in range(20)])
    ajax = api.get(
        "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval",
        params={"run_ids": run_id, "metric_key": "loss"},
    )
    assert ajax.status_code == 200 and ajax.json()["metrics"] == bulk(api, [run_id])


def test_bad_input_and_unknown_runs(api: httpx.Client) -> None:
    run_id = new_run(api)
    for params in (
        {"run_ids": run_id},
        {"metric_key": "loss"},
        {"run_ids": run_id, "metric_key": "loss", "max_results": 2501},
        {"run_ids": run_id, "metric_key": "loss", "max_results": 0},
        {"run_ids": run_id, "metric_key": "loss", "start_step": 5},
        {"run_ids": run_id, "metric_key": "loss", "start_step": 5, "end_step": 4},
        {"run_ids": [run_id] * 101, "metric_key": "loss"},
    ):
        response = api.get(BULK, params=params)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    unknown = api.get(BULK, params={"run_ids": [run_id, "f" * 32], "metric_key": "loss"})
    assert unknown.status_code == 404
    assert unknown.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
