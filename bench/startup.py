"""How fast each Grimoire process is ready, and how much memory it holds when idle.

    python bench/startup.py                       # every service alone, then `grimoire server`
    python bench/startup.py --repeat 5 --only tracking,server
    python bench/startup.py --with-issuer         # as the benchmark runs: authentication on

Each service is started alone as a deployment runs it (`uvicorn services.<name>.main:app`,
one process), and `grimoire server` as a laptop runs it (the CLI and its workers) on a
database it only has to check (migrated before the clock starts, as the Helm hook Job does).
The figures are the time from the process's start to the first 200 from `/health` (uvicorn
answers only after the lifespan opened the pool and checked the schema), the CPU seconds
the process tree spent until then (far less sensitive to a busy machine than the wall time),
and the RSS of the whole process tree one second later. The median of `--repeat` starts is
printed per target.
"""

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, MiB, log
from cryptography.fernet import Fernet
from postgres import drop_database, fresh_database, per_run, postgres_admin_url
from targets import Target, free_port, stop, wait_ready

SERVICES = ("tracking", "registry", "artifacts")


def command(name: str, port: int, workers: int) -> list[str]:
    if name == "server":
        return [
            sys.executable,
            "-m",
            "services.cli",
            "server",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        f"services.{name}.main:app",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]


def start_once(
    name: str, env: dict[str, str], workdir: Path, workers: int
) -> tuple[float, float, int]:
    """(seconds to ready, CPU seconds the tree spent getting there, idle RSS in bytes)."""
    port = free_port()
    log_path = workdir / f"{name}.log"
    process = subprocess.Popen(
        command(name, port, workers),
        cwd=REPO,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    target = Target(
        name, f"http://127.0.0.1:{port}", process, log_path, env["GRIMOIRE_DATABASE_URL"]
    )
    try:
        ready_s = wait_ready(target, "/health", timeout=120)
        if name == "server":  # every worker answered, not only the first
            while len(target.tree()) < 1 + workers:
                time.sleep(0.05)
        cpu_s = target.cpu_s()
        time.sleep(1)
        return ready_s, cpu_s, target.rss()
    finally:
        stop(target)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default=",".join((*SERVICES, "server")))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="`grimoire server` workers")
    parser.add_argument(
        "--with-issuer",
        action="store_true",
        help="configure an OIDC issuer (authentication on), as bench/run.py does",
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="grimoire-startup-"))
    admin = postgres_admin_url(workdir)
    database_name = per_run("bench_startup")
    database = fresh_database(admin, database_name)
    from services.core.db.migrate import upgrade

    asyncio.run(upgrade(database))
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "GRIMOIRE_DATA_DIR": str(workdir / "data"),
        "GRIMOIRE_DATABASE_URL": database,
        "GRIMOIRE_ARTIFACTS_ROOT": str(workdir / "artifacts"),
        "GRIMOIRE_REGISTRY_WEBHOOK_SECRET_KEY": Fernet.generate_key().decode(),
    }
    if args.with_issuer:
        env["GRIMOIRE_AUTH_ISSUER"] = "https://issuer.invalid"
    else:
        env["GRIMOIRE_AUTH_DISABLED"] = "true"
    print(f"load average before: {os.getloadavg()}")
    print("| process | start to /health, median (all) | CPU s to ready | idle RSS of the tree |")
    print("|---|---|---|---|")
    for name in args.only.split(","):
        runs = [start_once(name, env, workdir, args.workers) for _ in range(args.repeat)]
        times = [ready for ready, _, _ in runs]
        log(f"{name}: {times}")
        shown = ", ".join(f"{t:.2f}" for t in times)
        cpu = statistics.median(cpu for _, cpu, _ in runs)
        rss = statistics.median(rss for _, _, rss in runs) / MiB
        print(
            f"| {name} | {statistics.median(times):.2f} s ({shown}) | {cpu:.2f} s | {rss:.0f} MiB |"
        )
    print(f"load average after: {os.getloadavg()}")
    drop_database(admin, database_name)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
