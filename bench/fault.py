"""A PostgreSQL outage under ingest load, Grimoire next to `mlflow server`, in one run.

    python bench/fault.py --admin-url postgresql://postgres@127.0.0.1:5433/postgres \\
        --fault-cmd 'pg_ctlcluster --skip-systemctl-redirect 15 fault restart'

Runs the shared fault yardstick (`../shared/bench/fault_pg_restart.py`: 16 clients log-batch
for 30 s, the fault command at 8 s, then every acknowledged point is read back) against each
server, once without client retries (the server's raw behaviour) and once retrying as the
mlflow client does. The database must be a PostgreSQL of its own that the fault command may
restart, never a shared one (see docs/benchmarks.md for making one). Grimoire runs with
authentication on, as in bench/run.py.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, log
from postgres import fresh_database
from targets import start_grimoire, start_mlflow, stop

FAULT_YARDSTICK = REPO.parent / "shared" / "bench" / "fault_pg_restart.py"
COLUMNS = [  # (figure, heading)
    ("batches_acked", "batches acknowledged"),
    ("requests_failed", "failed requests"),
    ("errors_by_kind", "failures by kind"),
    ("lost_points", "acknowledged points lost"),
    ("unacked_batches_present", "batches reported failed but stored"),
    ("longest_success_gap_s", "longest gap without a success (s)"),
    ("recovery_s", "fault to next success (s)"),
]


def run_fault(url: str, token: str | None, fault_cmd: str, retries: int) -> dict:
    command = [sys.executable, str(FAULT_YARDSTICK), "--url", url, "--fault-cmd", fault_cmd]
    command += ["--retries", str(retries)]
    if token:
        command += ["--token", token]
    log(f"fault yardstick, retries {retries}: {fault_cmd}")
    result = subprocess.run(command, capture_output=True, text=True)
    lines = result.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"fault yardstick failed:\n{result.stderr[-3000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--admin-url", required=True, help="the PostgreSQL to break")
    parser.add_argument("--fault-cmd", required=True, help="shell command that causes the fault")
    parser.add_argument("--targets", default="grimoire,mlflow")
    parser.add_argument("--retries", default="0,5", help="client retry settings to run")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not FAULT_YARDSTICK.exists():
        sys.exit(f"fault yardstick not found at {FAULT_YARDSTICK}")
    starters = {"grimoire": start_grimoire, "mlflow": start_mlflow}
    workdir = Path(tempfile.mkdtemp(prefix="grimoire-fault-"))
    results: dict[str, dict] = {}
    for name in args.targets.split(","):
        database = fresh_database(args.admin_url, f"fault_{name}")
        target, _ = starters[name](database, workdir, args.workers)
        try:
            for retries in (int(r) for r in args.retries.split(",")):
                figures = run_fault(target.url, target.token, args.fault_cmd, retries)
                results.setdefault(f"retries {retries}", {})[name] = figures
                time.sleep(2)  # let the database settle before the next round
        finally:
            stop(target)
    targets = args.targets.split(",")
    lines = [f"Fault: `{args.fault_cmd}` at 8 s into 30 s of 16 clients' log-batch", ""]
    lines.append("| client retries | figure | " + " | ".join(targets) + " |")
    lines.append("|---|---|" + "---|" * len(targets))
    for label, by_target in results.items():
        for key, heading in COLUMNS:
            cells = [by_target.get(t, {}).get(key) for t in targets]
            lines.append(
                f"| {label} | {heading} | "
                + " | ".join("-" if c is None else json.dumps(c) for c in cells)
                + " |"
            )
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"fault-{stamp}.json").write_text(json.dumps(results, indent=2))
    table = "\n".join(lines)
    (out / f"fault-{stamp}.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
