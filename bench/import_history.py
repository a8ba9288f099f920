"""`python bench/import_history.py [--scale S]`: how long `grimoire import` takes to bring in
an MLflow sqlite history of 200 runs, 2 million metric points and 1 GiB of artifacts (times
S), into a fresh database on this machine's PostgreSQL and a local artifact store; then the
second import of the same source (the no-op), and that again with --verify.

The source is made by MLflow itself (its SqlAlchemyStore creates the schema, the
experiments and the runs); the points go into MLflow's own `metrics` and `latest_metrics`
tables with one executemany per run and the artifact files are written into each run's
artifact folder, since logging 2 million points through the client would take longer than
the import being measured."""

import argparse
import asyncio
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, MiB, log  # noqa: E402
from bench.postgres import execute, fresh_database, postgres_admin_url  # noqa: E402

RUNS = 200
POINTS = 2_000_000
ARTIFACT_BYTES = 1024 * MiB
KEYS = ("loss", "accuracy", "lr", "grad_norm")


def build_source(workdir: Path, runs: int, points: int, artifact_bytes: int) -> str:
    from mlflow.entities import Param, RunTag
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    database = workdir / "mlflow.db"
    uri = f"sqlite:///{database}"
    store = SqlAlchemyStore(uri, str(workdir / "mlartifacts"))
    experiment_id = store.create_experiment("bench-import")
    per_run = points // runs
    file_size = artifact_bytes // runs
    run_ids = []
    for index in range(runs):
        run = store.create_run(experiment_id, "bench", 1_700_000_000_000 + index, [], f"r{index}")
        run_id = run.info.run_id
        store.log_batch(
            run_id,
            metrics=[],
            params=[Param(f"p{n}", str(n * index)) for n in range(10)],
            tags=[RunTag("team", "bench")],
        )
        folder = Path(run.info.artifact_uri)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model.bin").write_bytes(random.randbytes(file_size))
        run_ids.append(run_id)
        if (index + 1) % 20 == 0 or index + 1 == runs:
            log(f"source: {index + 1}/{runs} runs with their artifacts")
    with sqlite3.connect(database) as conn:
        for done, run_id in enumerate(run_ids, 1):
            if done % 20 == 0 or done == runs:
                log(f"source: metric points of {done}/{runs} runs")
            steps = per_run // len(KEYS)
            conn.executemany(
                "INSERT INTO metrics (key, value, timestamp, step, is_nan, run_uuid) "
                "VALUES (?, ?, ?, ?, 0, ?)",
                (
                    (key, 1.0 / (step + 1), 1_700_000_000_000 + step, step, run_id)
                    for key in KEYS
                    for step in range(steps)
                ),
            )
            conn.executemany(
                "INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) "
                "VALUES (?, ?, ?, ?, 0, ?)",
                (
                    (key, 1.0 / steps, 1_700_000_000_000 + steps - 1, steps - 1, run_id)
                    for key in KEYS
                ),
            )
    return uri


def grimoire_import(
    source: str, database_url: str, root: Path, jobs: int, *extra: str
) -> tuple[float, float]:
    """Wall seconds, and the importer's own CPU seconds (what a shared machine's load does
    not inflate)."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli",
            "import",
            source,
            "--database-url",
            database_url,
            "--artifacts-root",
            str(root),
            "--jobs",
            str(jobs),
            *extra,
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="Fraction of the full size.")
    parser.add_argument("--jobs", type=int, default=4, help="grimoire import --jobs.")
    args = parser.parse_args()
    runs = max(1, round(RUNS * args.scale))
    points = round(POINTS * args.scale)
    artifact_bytes = round(ARTIFACT_BYTES * args.scale)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        workdir = Path(folder)
        log(f"building the source: {runs} runs, {points:,} points, {artifact_bytes / MiB:.0f} MiB")
        source = build_source(workdir, runs, points, artifact_bytes)
        admin_url = postgres_admin_url(workdir)
        database_url = fresh_database(admin_url, "grimoire_bench_import")
        try:
            target = (source, database_url, workdir / "store", args.jobs)
            log("first import")
            first, first_cpu = grimoire_import(*target)
            log("second import (the no-op)")
            second, second_cpu = grimoire_import(*target)
            log("second import with --verify (every artifact hashed again on both sides)")
            verified, verified_cpu = grimoire_import(*target, "--verify")
        finally:
            asyncio.run(execute(admin_url, 'DROP DATABASE "grimoire_bench_import" WITH (FORCE)'))
        figures = {
            "runs": runs,
            "points": points,
            "artifact_MiB": round(artifact_bytes / MiB),
            "jobs": args.jobs,
            "import_s": round(first, 1),
            "import_cpu_s": round(first_cpu, 1),
            "points_per_s": round(points / first),
            "artifact_MiB_per_s": round(artifact_bytes / MiB / first, 1),
            "second_import_s": round(second, 1),
            "second_import_cpu_s": round(second_cpu, 1),
            "verify_import_s": round(verified, 1),
            "verify_import_cpu_s": round(verified_cpu, 1),
            "load_average": os.getloadavg(),
        }
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
