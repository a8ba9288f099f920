"""`python bench/search_cpu.py --build base=/path/to/checkout --build new=.`: server CPU per
W3 search, builds side by side.

A W3 run's searches/s moves by 40% between runs of one build on this shared host
(docs/benchmarks.md), so builds are compared by what one search costs the server instead:
one database is seeded once with W3's runs (SEED_SQL), each build's
`grimoire server` (2 workers) gets a copy of it, and blocks of W3's exact search (4 clients)
alternate between the builds, each block timing the server's own CPU seconds (its process
tree, not PostgreSQL). The load of the hour then falls on every build alike.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import REPO, log
from postgres import execute, fresh_database, postgres_admin_url, scalar, settle
from targets import (
    Target,
    free_port,
    grimoire_env,
    grimoire_process,
    start_grimoire,
    stop,
    wait_ready,
)

# W3's search, as the yardstick sends it (bench_tracking.py: search_runs).
SEARCH = {
    "filter": "metrics.accuracy > 0.9 and params.model = 'rf'",
    "order_by": ["metrics.accuracy DESC"],
    "max_results": 100,
    "run_view_type": "ACTIVE_ONLY",
}


# W3's data, as its seeding writes it through runs/create + runs/log-batch (bench_tracking.py:
# w3_search), written here in four statements instead of 10,000 requests (a quarter of an
# hour on a loaded host): param `model` in {rf, lr, gb}, metric `accuracy` uniform in [0, 1).
SEED_SQL = [
    """INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time,
                                last_update_time)
       VALUES ('bench-w3-search', '/tmp/w3', 'active', 0, 0)""",
    """INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time,
                         lifecycle_stage, artifact_uri)
       SELECT md5(g::text), e.experiment_id, 'search-' || lpad(g::text, 6, '0'), 'bench',
              'RUNNING', 1700000000000 + g, 'active', '/tmp/w3/' || md5(g::text)
       FROM generate_series(1, {runs}) g, experiments e WHERE e.name = 'bench-w3-search'""",
    "INSERT INTO tags (run_uuid, key, value) SELECT run_uuid, 'mlflow.runName', name FROM runs",
    """INSERT INTO params (run_uuid, key, value)
       SELECT run_uuid, 'model', (ARRAY['rf', 'lr', 'gb'])[1 + floor(random() * 3)::int]
       FROM runs""",
    """INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step)
       SELECT run_uuid, 'accuracy', random(), 1700000000000, 0 FROM runs""",
    """INSERT INTO metrics (run_uuid, key, value, timestamp, step)
       SELECT run_uuid, key, value, timestamp, step FROM latest_metrics""",
]


def seed(admin: str, prefix: str, runs: int, workdir: Path) -> tuple[str, str]:
    """The seeded template database's name and the member token valid in its copies. The
    schema is this checkout's: run the script from the oldest build compared (each build
    then migrates its copy to its own head)."""
    name = f"{prefix}_seed"
    url = fresh_database(admin, name)
    target, _ = start_grimoire(url, workdir, workers=1)  # schema, tokens, the team's grant
    stop(target)
    for statement in SEED_SQL:
        asyncio.run(execute(url, statement.format(runs=runs)))
    settle(url)
    assert target.token is not None
    return name, target.token


def serve(admin: str, template: str, build: str, repo: Path, workdir: Path) -> Target:
    name = f"{template.removesuffix('_seed')}_{build}"
    asyncio.run(execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(execute(admin, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    # Each build migrates its copy to its own head (a later build may add a migration).
    subprocess.run(
        [sys.executable, "-m", "services.cli", "db", "upgrade", "--database-url", url],
        cwd=repo,
        check=True,
        capture_output=True,
    )
    folder = workdir / build
    folder.mkdir()
    port = free_port()
    process = grimoire_process(url, folder, port, 2, grimoire_env(folder), repo=repo)
    target = Target(build, f"http://127.0.0.1:{port}", process, folder / "grimoire.log", url)
    wait_ready(target, "/ready")
    return target


async def block(target: Target, token: str, experiment_id: str, searches: int) -> float:
    """`searches` W3 searches from 4 clients; returns the wall seconds."""
    body = {**SEARCH, "experiment_ids": [experiment_id]}
    left = searches
    headers = {"Authorization": f"Bearer {token}"}

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal left
        while left > 0:
            left -= 1
            response = await http.post("/api/2.0/mlflow/runs/search", json=body)
            if response.status_code != 200 or len(response.json()["runs"]) != 100:
                raise RuntimeError(f"{target.name}: {response.status_code} {response.text[:300]}")

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=target.url, headers=headers, timeout=60) as http:
        await asyncio.gather(*(client(http) for _ in range(4)))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="append", required=True, help="NAME=CHECKOUT")
    parser.add_argument("--runs", type=int, default=5000)
    parser.add_argument("--searches", type=int, default=500, help="searches a block")
    parser.add_argument("--rounds", type=int, default=5, help="blocks per build")
    parser.add_argument("--database-prefix", default="bench_search")
    parser.add_argument(
        "--idle-seconds",
        type=float,
        default=0,
        help="first measure each idle server's CPU for this long (background loops only)",
    )
    args = parser.parse_args()
    builds = [(n, Path(p).resolve()) for n, p in (b.split("=", 1) for b in args.build)]
    workdir = Path(tempfile.mkdtemp(prefix="grimoire-search-cpu-"))
    admin = postgres_admin_url(workdir)
    load_before = os.getloadavg()[0]
    template, token = seed(admin, args.database_prefix, args.runs, workdir)
    experiment_id = str(
        asyncio.run(
            scalar(
                admin.rsplit("/", 1)[0] + f"/{template}",
                "SELECT experiment_id FROM experiments WHERE name = 'bench-w3-search'",
            )
        )
    )
    targets = [serve(admin, template, name, repo, workdir) for name, repo in builds]
    cpu_ms: dict[str, list[float]] = {t.name: [] for t in targets}
    rates: dict[str, list[float]] = {t.name: [] for t in targets}
    idle_ms: dict[str, float] = {}
    try:
        if args.idle_seconds:
            time.sleep(5)  # past the start-up work
            before = {t.name: t.cpu_s() for t in targets}
            time.sleep(args.idle_seconds)
            for t in targets:
                idle_ms[t.name] = 1000 * (t.cpu_s() - before[t.name]) / args.idle_seconds
                log(f"{t.name}: idle, {idle_ms[t.name]:.2f} ms of server CPU a second")
        for target in targets:  # warm: caches, prepared statements, the first plans
            asyncio.run(block(target, token, experiment_id, 50))
        for round_ in range(args.rounds):
            for target in targets if round_ % 2 == 0 else reversed(targets):
                before = target.cpu_s()
                wall = asyncio.run(block(target, token, experiment_id, args.searches))
                cpu_ms[target.name].append(1000 * (target.cpu_s() - before) / args.searches)
                rates[target.name].append(args.searches / wall)
                log(
                    f"{target.name}: {cpu_ms[target.name][-1]:.2f} ms server CPU a search, "
                    f"{rates[target.name][-1]:.1f} searches/s"
                )
    finally:
        for target in targets:
            stop(target)
    summary = {
        name: {
            "server_cpu_ms_per_search_median": round(statistics.median(cpu_ms[name]), 3),
            "server_cpu_ms_per_search": [round(v, 3) for v in cpu_ms[name]],
            "searches_per_s": [round(v, 1) for v in rates[name]],
            "idle_cpu_ms_per_s": round(idle_ms[name], 3) if name in idle_ms else None,
        }
        for name in cpu_ms
    }
    summary["load_average"] = {"before": load_before, "after": os.getloadavg()[0]}
    out = REPO / "bench" / "results" / f"search-cpu-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
