"""The UI benchmark's data, logged through the public API (runs/create, runs/log-batch) from
many client threads, the same for every server: one experiment of N runs with P params and
M metrics each, chart runs with long histories and a one-step spike, all named and timed so
each page's expected rows are known in advance."""

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from rich.progress import Progress

API = "/api/2.0/mlflow"
# Start times one second apart, newest last: the runs table (newest first) shows run N-1 first.
START_MS = 1_760_000_000_000
BATCH = 1000  # MLflow's log-batch limit on metrics per call
SPIKE_VALUE = 1000.0


@dataclass
class Seeded:
    experiment_id: str
    run_ids: list[str] = field(default_factory=list)  # index i is run-<i>
    chart_experiment_id: str = ""
    chart_run_ids: list[str] = field(default_factory=list)
    spike_step: int = 0


def run_name(index: int) -> str:
    return f"run-{index:05d}"


def _post(client: httpx.Client, path: str, body: dict) -> dict:
    response = client.post(API + path, json=body)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code} {response.text[:500]}")
    return response.json()


def _create_run(client: httpx.Client, experiment_id: str, index: int, params: int, metrics: int):
    rng = random.Random(index)
    run = _post(
        client,
        "/runs/create",
        {
            "experiment_id": experiment_id,
            "run_name": run_name(index),
            "start_time": START_MS + index * 1000,
        },
    )["run"]["info"]["run_id"]
    _post(
        client,
        "/runs/log-batch",
        {
            "run_id": run,
            "params": [
                {"key": f"param_{p:02d}", "value": str(rng.randint(0, 99))} for p in range(params)
            ],
            "metrics": [
                {"key": f"metric_{m:02d}", "value": rng.random(), "timestamp": START_MS, "step": 0}
                for m in range(metrics)
            ],
        },
    )
    return index, run


def _history(step: int, run: int, spike_step: int) -> float:
    return SPIKE_VALUE if step == spike_step else 1.0 / (step + 1) + run * 0.01


def seed(
    url: str, runs: int, params: int, metrics: int, chart_runs: int, points: int, threads: int
) -> Seeded:
    spike_step = points * 7 // 9
    with httpx.Client(
        base_url=url, timeout=120, limits=httpx.Limits(max_connections=threads)
    ) as client:
        experiment = _post(client, "/experiments/create", {"name": "ui-bench"})["experiment_id"]
        charts = _post(client, "/experiments/create", {"name": "ui-bench-charts"})["experiment_id"]
        seeded = Seeded(experiment, [""] * runs, charts, spike_step=spike_step)
        with Progress() as progress, ThreadPoolExecutor(threads) as pool:
            task = progress.add_task(f"{url}: {runs} runs", total=runs)
            for index, run in pool.map(
                lambda i: _create_run(client, experiment, i, params, metrics), range(runs)
            ):
                seeded.run_ids[index] = run
                progress.advance(task)
            seeded.chart_run_ids = [
                _post(client, "/runs/create", {"experiment_id": charts, "run_name": f"chart-{r}"})[
                    "run"
                ]["info"]["run_id"]
                for r in range(chart_runs)
            ]
            task = progress.add_task(
                f"{url}: {chart_runs} x {points} points", total=chart_runs * -(-points // BATCH)
            )

            # One run's batches one after another: MLflow answers 400 to concurrent batches of
            # one run (their latest-metric updates collide); runs go in parallel.
            def log_history(r: int) -> None:
                for start in range(0, points, BATCH):
                    steps = range(start, min(start + BATCH, points))
                    metrics = [
                        {
                            "key": "loss",
                            "value": _history(s, r, spike_step),
                            "timestamp": START_MS + s,
                            "step": s,
                        }
                        for s in steps
                    ]
                    body = {"run_id": seeded.chart_run_ids[r], "metrics": metrics}
                    _post(client, "/runs/log-batch", body)
                    progress.advance(task)

            list(pool.map(log_history, range(chart_runs)))
    return seeded
