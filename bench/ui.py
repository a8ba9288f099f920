"""The web UI's figures (issue 13) in Debian's Chromium, Grimoire's UI next to MLflow's own
(`mlflow server` on PostgreSQL), same data, same run.

    python bench/ui.py                                # 20,000 runs, 10 x 100,000 points
    python bench/ui.py --runs 500 --points 10000      # a smoke run

Each server gets its own fresh database of one PostgreSQL; Grimoire runs with authentication
off (as `grimoire server` on loopback does, and as `mlflow server` has none). The data goes in
through the public API from many client threads. Each figure is the median of --repeats
browser visits (each in a fresh context: an empty HTTP cache) after a warm-up visit. Results
go to bench/results/ui-<stamp>.json and .md, with a picture of each UI's chart; docs/ui.md
shows them.
"""

import argparse
import asyncio
import json
import math
import os
import shutil
import tempfile
import time
from pathlib import Path

from common import REPO, log
from playwright.sync_api import sync_playwright
from postgres import fresh_database, postgres_admin_url, settle
from targets import Target, free_port, grimoire_process, start_mlflow, stop, wait_ready
from ui_pages import TIMEOUT_MS, Pages, measure
from ui_seed import seed

RESULTS = REPO / "bench" / "results"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
FIGURES = [
    ("runs_first", "runs table, first page rows visible", 1.0),
    ("runs_next", "runs table, next page", 0.3),
    ("chart", "chart of the chart runs drawn", 1.0),
    ("compare", "compare page", 2.0),
]


def start_grimoire_without_auth(database_url: str, workdir: Path, workers: int) -> Target:
    from services.core.db.migrate import upgrade

    asyncio.run(upgrade(database_url))
    port = free_port()
    env = {**os.environ, "GRIMOIRE_DATA_DIR": str(workdir / "grimoire-data")}
    process = grimoire_process(database_url, workdir, port, workers, env)
    log_path = workdir / "grimoire.log"
    target = Target("grimoire", f"http://127.0.0.1:{port}", process, log_path, database_url)
    wait_ready(target, "/ready")
    return target


def seconds(value: float) -> str:
    return f"{value:.2f}" if math.isfinite(value) else f"> {TIMEOUT_MS / 1000:.0f} (timed out)"


def times(ratio: float) -> str:
    return f"{ratio:.1f}x" if math.isfinite(ratio) else "-"


def render(results: dict, args: argparse.Namespace) -> str:
    names = list(results["figures"])
    ratio = len(names) == 2  # the second target's time over the first's

    def row(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    lines = [
        f"{args.runs} runs x {args.params} params and {args.metrics} metrics; chart of "
        f"{args.chart_runs} runs x {args.points} points with a one-step spike; compare of "
        f"{args.compare_runs} runs. Median of {args.repeats} visits, seconds; load average "
        f"{results['load_before']:.1f} before, {results['load_after']:.1f} after.",
        "",
        row(["figure", "goal", *names, *(["ratio"] if ratio else [])]),
        row(["---"] * (2 + len(names) + ratio)),
    ]
    for key, label, goal in FIGURES:
        values = [results["figures"][name][key] for name in names]
        cells = [label, f"< {goal} s", *(seconds(v) for v in values)]
        lines.append(row(cells + ([times(values[1] / values[0])] if ratio else [])))
    spikes = ["yes" if results["figures"][name]["spike_in_chart_data"] else "no" for name in names]
    lines.append(row(["spike in the chart's data", "yes", *spikes, *([""] if ratio else [])]))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--targets", default="grimoire,mlflow")
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--params", type=int, default=20)
    parser.add_argument("--metrics", type=int, default=20)
    parser.add_argument("--chart-runs", type=int, default=10)
    parser.add_argument("--points", type=int, default=100_000, help="points per chart run")
    parser.add_argument("--compare-runs", type=int, default=50)
    parser.add_argument("--threads", type=int, default=16, help="client threads seeding")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per server")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="grimoire-ui-bench-"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    admin_url = postgres_admin_url(workdir)
    results: dict = {"args": vars(args), "load_before": os.getloadavg()[0], "figures": {}}
    for name in args.targets.split(","):
        database_url = fresh_database(admin_url, f"bench_ui_{name}")
        target = (
            start_grimoire_without_auth(database_url, workdir, args.workers)
            if name == "grimoire"
            else start_mlflow(database_url, workdir, args.workers)[0]
        )
        try:
            log(f"{name}: seeding at {target.url}")
            seeded = seed(
                target.url,
                args.runs,
                args.params,
                args.metrics,
                args.chart_runs,
                args.points,
                args.threads,
            )
            settle(database_url)
            log(f"{name}: measuring")
            # Playwright's sync API runs an event loop: the asyncio setup above stays outside.
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                pages = Pages(name, target.url, seeded)
                chart_png = RESULTS / f"ui-{stamp}-{name}-chart.png"
                figures = measure(browser, pages, args.repeats, args.compare_runs, chart_png)
                browser.close()
            results["figures"][name] = figures
            log(f"{name}: {json.dumps({k: v for k, v in figures.items() if k != 'samples'})}")
        finally:
            stop(target)
    results["load_after"] = os.getloadavg()[0]
    (RESULTS / f"ui-{stamp}.json").write_text(json.dumps(results, indent=2))
    table = render(results, args)
    (RESULTS / f"ui-{stamp}.md").write_text(table)
    print(table)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
