"""Grimoire next to `mlflow server` and FastTrackML, on the same PostgreSQL and machine, in
one run.

    python bench/run.py                                # every workload, all three servers
    python bench/run.py --workloads W1,W5 --w1-clients 16,64
    python bench/run.py --targets grimoire --workloads W4

Starts each server on its own fresh database of one PostgreSQL (the one on 127.0.0.1:5432
when it answers, else an embedded pgserver) with local artifact folders, runs the shared,
independent yardstick (`../shared/bench/bench_tracking.py`) against each, samples the
servers' memory (RSS of the whole process tree) while they work, and prints one table of
their figures and Grimoire's ratio to each. FastTrackML (bench/fasttrackml.py) runs only the
workloads it can serve (W1-W4, CLIENT: it has no artifact proxy). Results go to
bench/results/<timestamp>.json and .md.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, MiB, log
from fasttrackml import start_fasttrackml
from postgres import fresh_database, postgres_admin_url
from reporting import plot, render
from targets import CALLER_GROUPS, start_grimoire, start_mlflow, stop
from workloads import client_logging, client_variants, proxy_gib, run_workload

YARDSTICK = REPO.parent / "shared" / "bench" / "bench_tracking.py"
TARGETS = ("grimoire", "mlflow", "fasttrackml")
# FastTrackML has no artifact proxy (W5, PROXY); CLIENT's mlflow loop it serves.
FASTTRACKML_WORKLOADS = {"W1", "W2", "W3", "W4", "CLIENT"}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--targets", default="grimoire,mlflow,fasttrackml")
    parser.add_argument(
        "--workloads",
        default="W1,W2,W3,W4,W5,PROXY,CLIENT",
        help="yardstick workloads W1..W5; PROXY: 1 GiB through the proxy with curl; CLIENT: "
        "the real mlflow client's log_metric loop, async logging off and on",
    )
    parser.add_argument("--w1-clients", default="16", help="comma-separated client counts for W1")
    parser.add_argument("--w2-clients", default="16", help="comma-separated client counts for W2")
    parser.add_argument(
        "--clients-per-process",
        default="",
        help="comma-separated sizes: also run each W1/W2 client count above a size from "
        "several yardstick processes of that many clients each (one yardstick process is "
        "capped by its own CPU: its HTTP pool costs O(clients^2) per request); empty: one "
        "process only",
    )
    parser.add_argument("--workers", type=int, default=2, help="worker processes per server")
    parser.add_argument(
        "--caller",
        choices=sorted(CALLER_GROUPS),
        default="member",
        help="whom Grimoire's calls are made as: a team member with default EDIT (roles read "
        "from grants) or an administrator (allowed without reading grants)",
    )
    parser.add_argument("--yardstick", type=Path, default=YARDSTICK)
    parser.add_argument("--extra", default="", help="extra arguments for the yardstick")
    parser.add_argument(
        "--database-prefix",
        default="bench",
        help="each target's fresh database is <prefix>_<target>: give concurrent benches on "
        "one PostgreSQL their own prefixes, or each drops the other's database mid-run",
    )
    parser.add_argument(
        "--render", type=Path, help="re-render the table and plot of a saved results .json"
    )
    args = parser.parse_args()
    if args.render:
        saved = json.loads(args.render.read_text())
        targets = [t for t in TARGETS if any(t in r for r in saved["results"].values())]
        machine = saved.get("machine", f"{os.cpu_count()} cores")
        print(render(saved["results"], targets, saved["startup"], machine))
        plot(saved["results"], args.render.with_suffix(".png"))
        return
    if not args.yardstick.exists():
        sys.exit(f"yardstick not found at {args.yardstick}; pass --yardstick")
    targets = args.targets.split(",")
    extra = args.extra.split()
    workdir = Path(tempfile.mkdtemp(prefix="grimoire-bench-"))
    admin = postgres_admin_url(workdir)
    startup: dict[str, dict] = {}
    results: dict[str, dict] = {}
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    partial = out / f"{stamp}.partial.json"  # kept up to date, in case a run breaks off
    # One server at a time, so neither's processes disturb the other's figures.
    for name in targets:
        database = fresh_database(admin, f"{args.database_prefix}_{name}")
        if name == "grimoire":
            target, ready_s = start_grimoire(database, workdir, args.workers, args.caller)
        elif name == "fasttrackml":
            target, ready_s = start_fasttrackml(database, workdir)
        else:
            target, ready_s = start_mlflow(database, workdir, args.workers)
        try:
            time.sleep(1)
            startup[name] = {"ready_s": ready_s, "idle_rss_MiB": target.rss() / MiB}
            log(
                f"{name} ready in {ready_s:.1f} s, idle RSS {startup[name]['idle_rss_MiB']:.0f} MiB"
            )
            for workload in args.workloads.split(","):
                counts = {"W1": args.w1_clients, "W2": args.w2_clients}.get(workload)
                variants = (
                    client_variants(counts, args.clients_per_process) if counts else [([], 1)]
                )
                if name == "fasttrackml" and workload not in FASTTRACKML_WORKLOADS:
                    continue
                for variant, processes in variants:
                    label = f"{workload} ({variant[1]} clients)" if variant else workload
                    if processes > 1:
                        label = f"{workload} ({int(variant[1]) * processes} clients, "
                        label += f"{processes} processes)"
                    # Flush the previous workload's dirty pages so writeback does not land
                    # on the next measurement.
                    subprocess.run(["sync"], check=False)
                    if workload == "PROXY":
                        figures = proxy_gib(target, workdir)
                    elif workload == "CLIENT":
                        figures = client_logging(target)
                    else:
                        figures = run_workload(
                            target, workload, variant + extra, args.yardstick, processes
                        )
                    results.setdefault(label, {})[name] = figures
                    partial.write_text(json.dumps({"startup": startup, "results": results}))
        finally:
            stop(target)
    machine = f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end"
    if "grimoire" in targets:
        machine += f"; Grimoire called as {args.caller}"
    table = render(results, targets, startup, machine)
    partial.unlink(missing_ok=True)
    (out / f"{stamp}.json").write_text(
        json.dumps({"startup": startup, "results": results, "machine": machine}, indent=2)
    )
    (out / f"{stamp}.md").write_text(table + "\n")
    plot(results, out / f"{stamp}.png")
    print(table)
    shutil.rmtree(workdir, ignore_errors=True)
