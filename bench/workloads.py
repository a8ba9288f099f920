"""The workloads: the shared yardstick (W1..W5) from one or several processes, 1 GiB through
the proxy with curl, the real mlflow client's logging loop; and what the server stored and
spent while they ran."""

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from common import REPO, MiB, log
from postgres import scalar
from targets import Target

WARMUP_S = 2.0  # the yardstick's default warm-up
STAGGER_S = 0.3  # between the starts of yardstick processes that share a workload
# Extra warm-up for every process of a shared workload, so that all of them are logging by
# the time the common window opens, however long a loaded machine takes to start them.
ALIGN_MARGIN_S = 3.0


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
        count = asyncio.run(scalar(self.target.database_url, "SELECT count(*) FROM metrics"))
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
