"""Grimoire next to `mlflow server`, on the same PostgreSQL and machine, in one run.

    python bench/run.py                                # every workload, both servers
    python bench/run.py --workloads W1,W5 --w1-clients 16,64
    python bench/run.py --targets grimoire --workloads W4

Starts each server on its own fresh database of one PostgreSQL (the one on 127.0.0.1:5432
when it answers, else an embedded pgserver) with local artifact folders, runs the shared,
independent yardstick (`../shared/bench/bench_tracking.py`) against each, samples the
servers' memory (RSS of the whole process tree) while they work, and prints one table of
both figures and their ratio. Results go to bench/results/<timestamp>.json and .md.
"""

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import psutil

REPO = Path(__file__).resolve().parent.parent
YARDSTICK = REPO.parent / "shared" / "bench" / "bench_tracking.py"
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
MiB = 1024 * 1024
WARMUP_S = 2.0  # the yardstick's default warm-up
STAGGER_S = 0.3  # between the starts of yardstick processes that share a workload
# Extra warm-up for every process of a shared workload, so that all of them are logging by
# the time the common window opens, however long a loaded machine takes to start them.
ALIGN_MARGIN_S = 3.0

# (workload, figure in the yardstick's JSON, label, higher is better)
FIGURES = {
    "W1": [
        ("metric_points_per_s", "points/s", True),
        ("p99_ms", "p99 ms", False),
        ("errors", "errors", False),
        ("server_cpu_us_per_point", "server CPU us per point", False),
        ("rest_cpu_us_per_point", "PostgreSQL + kernel CPU us per point", False),
        ("generator_cpu_us_per_point", "load generator CPU us per point", False),
        ("machine_busy_pct", "machine busy % (200 = both cores)", False),
    ],
    "W2": [
        ("ops_per_s", "requests/s", True),
        ("p99_ms", "p99 ms", False),
        ("errors", "errors", False),
        ("server_cpu_us_per_point", "server CPU us per request", False),
        ("rest_cpu_us_per_point", "PostgreSQL + kernel CPU us per request", False),
        ("generator_cpu_us_per_point", "load generator CPU us per request", False),
        ("machine_busy_pct", "machine busy % (200 = both cores)", False),
    ],
    "W3": [
        ("seed_runs_per_s", "seeding runs/s", True),
        ("ops_per_s", "queries/s", True),
        ("p50_ms", "p50 ms", False),
    ],
    "W4": [("p50_ms", "full fetch p50 ms", False), ("fetch_points_per_s", "points/s", True)],
    "W5": [
        ("upload_MiBps", "upload MiB/s", True),
        ("download_MiBps", "download MiB/s", True),
        ("local_write_MiBps", "local disk write MiB/s", True),
        ("local_write_fsync_MiBps", "local disk write+fsync MiB/s", True),
        ("local_read_cached_MiBps", "local disk cached read MiB/s", True),
    ],
    "CLIENT": [
        ("sync_calls_per_s", "mlflow.log_metric calls/s, sync", True),
        ("async_calls_per_s", "mlflow.log_metric calls/s, async logging", True),
    ],
    "PROXY": [
        ("upload_MiBps", "1 GiB curl upload MiB/s", True),
        ("download_MiBps", "1 GiB curl download MiB/s", True),
        ("dd_write_fsync_MiBps", "dd write+fsync MiB/s (same disk)", True),
        ("rss_growth_MiB", "server RSS growth MiB", False),
    ],
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _scalar(url: str, sql: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def postgres_admin_url(workdir: Path) -> str:
    try:
        asyncio.run(_admin(LOCAL_POSTGRES, "SELECT 1"))
        return LOCAL_POSTGRES
    except (OSError, asyncpg.PostgresError):
        import pgserver

        return pgserver.get_server(workdir / "pg", cleanup_mode="stop").get_uri()


def fresh_database(admin_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


@dataclass
class Target:
    name: str
    url: str
    process: subprocess.Popen
    log_path: Path
    database_url: str
    token: str | None = None
    rss_samples: list[int] = field(default_factory=list)

    def tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def cpu_s(self) -> float:
        """CPU seconds of the server's own processes (not an embedded PostgreSQL)."""
        total = 0.0
        for process in self.tree():
            try:
                if "postgres" not in process.name():
                    times = process.cpu_times()
                    total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    def rss(self) -> int:
        total = 0
        for process in self.tree():
            try:
                # Only the server's own processes: not the embedded PostgreSQL it may own.
                if "postgres" not in process.name():
                    total += process.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total


def wait_ready(target: Target, path: str, timeout: float = 120) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if target.process.poll() is not None:
            raise RuntimeError(f"{target.name} exited:\n{target.log_path.read_text()[-3000:]}")
        try:
            if httpx.get(target.url + path, timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{target.name} not ready after {timeout} s")


# Who the benchmark logs as. A team member (group `bench-team`, default EDIT, MANAGE on the
# experiments it creates) is what users are: each call's role is resolved from grants. An
# administrator's calls are allowed without reading any grant.
CALLER_GROUPS = {"member": "bench-team", "admin": "bench-admins"}


def bootstrap_token(database_url: str, caller: str) -> str:
    """A Grimoire token made straight in the database (as an operator bootstraps the first
    one), so Grimoire is measured with authentication on; a member also gets the default
    EDIT grant a team is given (`grimoire grant --group bench-team --role EDIT`)."""
    group = CALLER_GROUPS[caller]
    if caller == "member":
        asyncio.run(
            _admin(
                database_url,
                "INSERT INTO grants (principal_type, principal, resource_type, resource_id, "
                f"role, granted_by, granted_at) VALUES ('group', '{group}', 'default', '*', "
                "'EDIT', 'bench', 0)",
            )
        )
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli",
            "service-account",
            "create",
            f"bench-{caller}",
            "--group",
            group,
            "--database-url",
            database_url,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip().splitlines()[-1]


def start_grimoire(
    database_url: str, workdir: Path, workers: int, caller: str = "member"
) -> tuple[Target, float]:
    port = free_port()
    log_path = workdir / "grimoire.log"
    env = {
        **os.environ,
        "GRIMOIRE_DATA_DIR": str(workdir / "grimoire-data"),
        # Authentication on: every request carries a token the guard checks (the issuer is
        # only contacted for JWTs, which the benchmark does not send).
        "GRIMOIRE_AUTH_ISSUER": "https://issuer.invalid",
        "GRIMOIRE_AUTH_ADMIN_GROUPS": "bench-admins",
    }
    from services.core.db.migrate import upgrade

    asyncio.run(upgrade(database_url))
    env["BENCH_TOKEN"] = bootstrap_token(database_url, caller)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "services.cli",
            "server",
            "--database-url",
            database_url,
            "--artifacts-root",
            str(workdir / "grimoire-artifacts"),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=REPO,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    target = Target(
        "grimoire",
        f"http://127.0.0.1:{port}",
        process,
        log_path,
        database_url,
        token=env["BENCH_TOKEN"],
    )
    return target, wait_ready(target, "/ready")


def start_mlflow(database_url: str, workdir: Path, workers: int) -> tuple[Target, float]:
    from sqlalchemy.engine import make_url

    port = free_port()
    log_path = workdir / "mlflow.log"
    backend = make_url(database_url).set(drivername="postgresql+psycopg")
    mlflow = shutil.which("mlflow") or str(Path(sys.executable).parent / "mlflow")
    process = subprocess.Popen(
        [
            mlflow,
            "server",
            "--backend-store-uri",
            backend.render_as_string(hide_password=False),
            "--artifacts-destination",
            str(workdir / "mlflow-artifacts"),
            "--serve-artifacts",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=workdir,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    target = Target("mlflow", f"http://127.0.0.1:{port}", process, log_path, database_url)
    return target, wait_ready(target, "/health", timeout=180)


def stop(target: Target) -> None:
    for process in reversed(target.tree()):
        try:
            process.send_signal(
                signal.SIGINT if process.pid == target.process.pid else signal.SIGTERM
            )
        except psutil.NoSuchProcess:
            pass
    try:
        target.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        for process in target.tree():
            process.kill()


def run_workload(
    target: Target, workload: str, extra: list[str], yardstick: Path, processes: int = 1
) -> dict:
    """Run one workload, from `processes` yardstick processes at once (the clients split
    between them); sample the server's RSS every 0.2 s while it runs."""
    stop_sampling = threading.Event()
    samples: list[int] = []

    def sample() -> None:
        while not stop_sampling.is_set():
            samples.append(target.rss())
            stop_sampling.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    baseline = target.rss()
    sampler.start()
    command = [sys.executable, str(yardstick), "--url", target.url, "--workload", workload, *extra]
    if target.token:
        command += ["--token", target.token]
    shown = " ".join("<token>" if part == target.token else part for part in command[2:])
    log(f"{target.name}: {shown}" + (f" (x{processes} processes)" if processes > 1 else ""))
    # W1/W2 are sampled in a window opened after a longer warm-up (see StoredPoints).
    sampled = processes > 1 or workload in WINDOWS
    started = time.monotonic()
    running = []
    for index in range(processes):
        # Start the processes a little apart, so their setup bursts (creating a run per
        # client, which the yardstick does not retry) do not all land at once, and give the
        # earlier ones a longer warm-up, so every process measures the same window.
        warmup = WARMUP_S + ALIGN_MARGIN_S + (processes - 1 - index) * STAGGER_S
        shard = [*command, "--warmup", str(warmup)] if sampled else command
        running.append(
            subprocess.Popen(shard, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
        if processes > 1:
            time.sleep(STAGGER_S)
    stored = None
    if workload in WINDOWS:
        opens = started + (processes - 1) * STAGGER_S + WARMUP_S + ALIGN_MARGIN_S
        stored = StoredPoints(target, opens, opens + window_s(workload, extra))
        stored.start()
    outputs = [process.communicate() for process in running]
    stop_sampling.set()
    sampler.join()
    shards = []
    for stdout, stderr in outputs:
        lines = stdout.strip().splitlines()
        if not lines:  # no result at all: the yardstick itself broke
            raise RuntimeError(f"yardstick failed on {target.name}:\n{stderr[-3000:]}")
        # A workload that failed (e.g. its setup was refused) still prints {"failed": ...}.
        shards.append(json.loads(lines[-1]))
    figures = shards[0] if processes == 1 else combine(shards)
    if stored is not None:
        stored.join()
        # The processes' own windows drift apart by their start-up times on a loaded machine,
        # so their rates do not simply add up; the points the server stored while all of them
        # were logging are the figure (it counts only acknowledged work, for either server).
        figures.update({k: v for k, v in stored.figures.items() if k != "rate"})
        figures["stored_points_per_s"] = stored.figures["rate"]
        if processes > 1:
            figures["shard_sum_points_per_s"] = figures.get("metric_points_per_s")
            figures["metric_points_per_s"] = stored.figures["rate"]
            if workload == "W2":  # one point per request
                figures["shard_sum_ops_per_s"] = figures.get("ops_per_s")
                figures["ops_per_s"] = stored.figures["rate"]
    figures["rss_before_MiB"] = round(baseline / MiB, 1)
    figures["rss_peak_MiB"] = round(max(samples or [baseline]) / MiB, 1)
    return figures


# The yardstick's measured window per workload: (its flag, its default in seconds).
WINDOWS = {"W1": ("--duration", 20.0), "W2": ("--w2-duration", 10.0)}


def window_s(workload: str, extra: list[str]) -> float:
    flag, default = WINDOWS[workload]
    return float(extra[extra.index(flag) + 1]) if flag in extra else default


def machine_cpu_s() -> float:
    """Busy CPU seconds of the whole machine (every core)."""
    times = psutil.cpu_times()
    return times.user + times.nice + times.system + times.irq + times.softirq


def generator_cpu_s(target: "Target") -> float:
    """CPU seconds of the load generator: this script's other children (the yardsticks)."""
    server = {process.pid for process in target.tree()}
    total = 0.0
    for process in psutil.Process().children(recursive=True):
        try:
            if process.pid not in server:
                times = process.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            pass
    return total


MIN_POINTS_FOR_COST = 1000


class StoredPoints(threading.Thread):
    """Metric rows the server stored per second between two moments (both servers keep
    points in a table named `metrics`): a count at each end, nothing in between. The CPU the
    server, the load generator and the rest of the machine (PostgreSQL, the kernel) spent in
    the same interval, per stored point, shows whose cost changes with the number of
    clients. PostgreSQL's backends come and go with pooled connections, so its share is the
    machine's busy time minus the server's and the generator's."""

    def __init__(self, target: "Target", opens: float, closes: float):
        super().__init__(daemon=True)
        self.target = target
        self.opens, self.closes = opens, closes
        self.figures: dict[str, float] = {}

    def _sample_at(self, moment: float) -> tuple[float, int, float, float, float]:
        time.sleep(max(0.0, moment - time.monotonic()))
        at = time.monotonic()
        cpu = (self.target.cpu_s(), generator_cpu_s(self.target), machine_cpu_s())
        count = asyncio.run(_scalar(self.target.database_url, "SELECT count(*) FROM metrics"))
        return at, count, *cpu

    def run(self) -> None:
        first_at, first, server0, generator0, machine0 = self._sample_at(self.opens)
        last_at, last, server1, generator1, machine1 = self._sample_at(self.closes)
        stored, seconds = last - first, last_at - first_at
        server, generator = server1 - server0, generator1 - generator0
        rest = (machine1 - machine0) - server - generator
        self.figures = {
            "rate": round(stored / seconds, 1),
            "machine_busy_pct": round(100 * (machine1 - machine0) / seconds, 1),
        }
        if stored >= MIN_POINTS_FOR_COST:  # a collapsed server's cost per point means nothing
            self.figures.update(
                server_cpu_us_per_point=round(1e6 * server / stored, 1),
                rest_cpu_us_per_point=round(1e6 * rest / stored, 1),
                generator_cpu_us_per_point=round(1e6 * generator / stored, 1),
            )


def combine(shards: list[dict]) -> dict:
    """One figure for several yardstick processes that ran side by side: rates and counts
    add up, latency percentiles are the worst process's (an upper bound)."""
    combined: dict = {"processes": len(shards), "shards": shards}
    ran = [shard for shard in shards if "failed" not in shard]
    for key in ("metric_points_per_s", "ops_per_s", "batches_per_s", "errors", "clients"):
        if ran and all(key in shard for shard in ran):
            combined[key] = round(sum(shard[key] for shard in ran), 1)
    if len(ran) < len(shards):  # a process whose workload failed counts as one error at least
        combined["failed_processes"] = len(shards) - len(ran)
        combined["errors"] = combined.get("errors", 0) + combined["failed_processes"]
        combined["failures"] = [shard["failed"] for shard in shards if "failed" in shard]
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        values = [shard[key] for shard in shards if shard.get(key) is not None]
        combined[key] = max(values) if values else None
    combined["client_cpu_pct"] = round(sum(s.get("client_cpu_pct", 0) for s in shards), 1)
    return combined


def proxy_gib(target: Target, workdir: Path, size_mib: int = 1024) -> dict:
    """1 GiB up and down through the proxy with curl (a C client, so the figure is the
    server's, not a Python client's), next to dd writing the same bytes to the same disk,
    with the server's RSS sampled throughout."""
    source = workdir / "gib.bin"
    if not source.exists():
        with source.open("wb") as handle:
            for _ in range(size_mib):
                handle.write(os.urandom(MiB))
    url = f"{target.url}/api/2.0/mlflow-artifacts/artifacts/0/bench-proxy/gib.bin"
    samples: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(target.rss())
            done.wait(0.1)

    auth = ["-H", f"Authorization: Bearer {target.token}"] if target.token else []

    def curl(*args: str) -> float:
        out = subprocess.run(
            ["curl", "-sS", "-f", "-o", "/dev/null", "-w", "%{time_total}", *auth, *args, url],
            capture_output=True,
            text=True,
            check=True,
        )
        return float(out.stdout)

    def dd() -> float:
        started = time.perf_counter()
        subprocess.run(
            ["dd", f"if={source}", f"of={workdir / 'dd.copy'}", "bs=4M", "conv=fsync"],
            capture_output=True,
            check=True,
        )
        (workdir / "dd.copy").unlink()
        return time.perf_counter() - started

    subprocess.run(["sync"])
    baseline = target.rss()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    put_s = curl("-T", str(source))
    get_s = curl()
    done.set()
    sampler.join()
    subprocess.run(["sync"])
    dd_s = dd()
    mib = source.stat().st_size / MiB
    return {
        "upload_MiBps": round(mib / put_s, 1),
        "download_MiBps": round(mib / get_s, 1),
        "dd_write_fsync_MiBps": round(mib / dd_s, 1),
        "rss_growth_MiB": round((max(samples) - baseline) / MiB, 1),
        "rss_before_MiB": round(baseline / MiB, 1),
        "rss_peak_MiB": round(max(samples) / MiB, 1),
    }


def client_logging(target: Target) -> dict:
    """The real mlflow client in a naive log_metric loop, async logging off and on."""
    env = {**os.environ, "MLFLOW_TRACKING_URI": target.url}
    if target.token:
        env["MLFLOW_TRACKING_TOKEN"] = target.token
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "client_logging.py")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def ratio(ours: float | None, theirs: float | None, higher_is_better: bool) -> str:
    if ours is None or theirs is None or ours == 0 or theirs == 0:
        return "-"
    value = ours / theirs if higher_is_better else theirs / ours
    return f"{value:.1f}x"


def per_point_or_none(figures: dict, key: str) -> float | None:
    """A figure of a run, leaving out CPU per point where almost nothing was stored (results
    saved before StoredPoints left those out themselves)."""
    stored = figures.get("stored_points_per_s")
    if key.endswith("_per_point") and stored is not None and stored < 10:
        return None
    return figures.get(key)


def render(results: dict, targets: list[str], startup: dict, machine: str) -> str:
    lines = [
        f"Machine: {machine}",
        "",
        "| workload | figure | "
        + " | ".join(targets)
        + (" | Grimoire vs MLflow |" if len(targets) == 2 else " |"),
        "|---|---|" + "---|" * len(targets) + ("---|" if len(targets) == 2 else ""),
    ]
    for label, runs in results.items():
        workload = label.split()[0]
        for key, name, higher in FIGURES[workload] + [
            ("rss_peak_MiB", "server RSS peak MiB", False)
        ]:
            values = [per_point_or_none(runs.get(t, {}), key) for t in targets]
            row = f"| {label} | {name} | " + " | ".join(
                "-" if v is None else f"{v:,}" for v in values
            )
            if len(targets) == 2:
                row += f" | {ratio(values[0], values[1], higher)}"
            lines.append(row + " |")
    cells = [
        f"{startup[t]['ready_s']:.1f} s / {startup[t]['idle_rss_MiB']:.0f} MiB"
        if t in startup
        else "-"
        for t in targets
    ]
    tail = " | |" if len(targets) == 2 else " |"
    lines.append("| startup | start to ready / idle RSS | " + " | ".join(cells) + tail)
    return "\n".join(lines)


HEADLINE = [  # (workload, figure, axis title); every variant of a workload gets a panel
    ("W1", "metric_points_per_s", "points/s"),
    ("W2", "ops_per_s", "log-metric requests/s"),
    ("W3", "ops_per_s", "searches/s"),
    ("W4", "p50_ms", "full history fetch, ms (lower is better)"),
    ("PROXY", "upload_MiBps", "1 GiB upload MiB/s"),
    ("PROXY", "download_MiBps", "1 GiB download MiB/s"),
]


def plot(results: dict, path: Path) -> None:
    """Grimoire next to MLflow on the headline figures, one panel each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [
        (label, key, f"{label}: {title}")
        for workload, key, title in HEADLINE
        for label in results
        if label.split()[0] == workload
    ]
    if not panels:
        return
    columns = 4
    rows = (len(panels) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3.2 * rows), squeeze=False)
    for axis, (label, key, title) in zip(axes.flat, panels, strict=False):
        names = [n for n in ("grimoire", "mlflow") if n in results[label]]
        values = [results[label][n].get(key) or 0 for n in names]
        bars = axis.bar(names, values, color=["#6a3d9a", "#999999"][: len(names)])
        axis.bar_label(bars, labels=[f"{v:,.0f}" for v in values])
        axis.set_title(title, fontsize=9)
        axis.spines[["top", "right"]].set_visible(False)
    for axis in list(axes.flat)[len(panels) :]:
        axis.set_visible(False)
    figure.suptitle("Grimoire (auth on) vs mlflow server 3.17.2, same machine, same PostgreSQL")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def client_variants(counts: str, per_process: str) -> list[tuple[list[str], int]]:
    """(yardstick arguments, processes) for each W1/W2 client count: one process with all
    the clients, and for each size in `per_process` it exceeds, the same total split across
    processes of that many clients."""
    sizes = [int(size) for size in per_process.split(",") if size.strip() and int(size) > 0]
    variants = []
    for count in (int(c) for c in counts.split(",")):
        variants.append((["--clients", str(count)], 1))
        for size in sizes:
            if count > size:
                processes = -(-count // size)
                variants.append((["--clients", str(count // processes)], processes))
    return variants


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--targets", default="grimoire,mlflow")
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
        "--render", type=Path, help="re-render the table and plot of a saved results .json"
    )
    args = parser.parse_args()
    if args.render:
        saved = json.loads(args.render.read_text())
        targets = [
            t for t in ("grimoire", "mlflow") if any(t in r for r in saved["results"].values())
        ]
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
        database = fresh_database(admin, f"bench_{name}")
        if name == "grimoire":
            target, ready_s = start_grimoire(database, workdir, args.workers, args.caller)
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


if __name__ == "__main__":
    main()
