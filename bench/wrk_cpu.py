"""`python bench/wrk_cpu.py --build base=/path/to/checkout --build new=.`: what one request
costs each build's server, with a load generator that costs almost nothing.

The yardstick is a Python process on the same two cores: it spends 2-3 ms of CPU a request,
more than the server, and the server's own CPU per request rises with the contention (one
build measured 0.64 ms a log-metric under wrk and 1.0 ms under the yardstick). wrk (C,
Debian's `wrk`) leaves the machine to the server and PostgreSQL, so these figures are the
server's own: log-metric (W2's request, 16 connections), log-batch of 100 points (W1's, 16
connections) and W3's search over the seeded runs (4 connections), each build's
`grimoire server` (2 workers, authentication on, a team member's token) in turn, rounds
alternating. The rest of the machine's busy time per request is PostgreSQL, wrk and the
kernel's loopback work.
"""

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
from common import log
from postgres import postgres_admin_url
from search_cpu import SEARCH, seed, serve
from targets import Target, stop
from workloads import machine_cpu_s

LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, "{path}", nil, {body})
end
"""

KEYS = ("loss", "accuracy", "learning_rate", "grad_norm", "val_loss")


def lua_body(request: str, run_id: str, experiment_id: str) -> tuple[str, str]:
    """The request's path and a Lua expression for its body (steps advance per request)."""
    if request == "log-metric":
        return "/api/2.0/mlflow/runs/log-metric", (
            f'\'{{"run_id":"{run_id}","key":"loss","value":0.5,'
            '"timestamp":1700000000000,"step":\' .. counter .. \'}\''
        )
    if request == "log-batch":
        # 5 keys x 20 steps from step counter * 20, as W1's batches; built in a Lua loop (one
        # concatenation of 200 pieces is more than LuaJIT's registers allow).
        keys = ", ".join(f'"{key}"' for key in KEYS)
        return "/api/2.0/mlflow/runs/log-batch", (
            "(function() local points = {} "
            "for step = 0, 19 do for _, key in ipairs({" + keys + "}) do "
            'points[#points + 1] = \'{"key":"\' .. key .. \'","value":0.5,'
            '"timestamp":1700000000000,"step":\' .. (counter * 20 + step) .. \'}\' '
            "end end "
            f'return \'{{"run_id":"{run_id}","metrics":[\' .. '
            "table.concat(points, ',') .. ']}' end)()"
        )
    body = json.dumps({**SEARCH, "experiment_ids": [experiment_id]}).replace("'", "\\'")
    return "/api/2.0/mlflow/runs/search", f"'{body}'"


CONNECTIONS = {"log-metric": 16, "log-batch": 16, "search": 4}


def server_cpu(target: Target) -> tuple[float, float]:
    user = system = 0.0
    for process in target.tree():
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        user, system = user + times.user, system + times.system
    return user, system


def measure(target: Target, script: Path, connections: int, seconds: int) -> dict[str, float]:
    user0, system0 = server_cpu(target)
    busy0 = machine_cpu_s()
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), target.url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    user1, system1 = server_cpu(target)
    busy = machine_cpu_s() - busy0
    found = re.search(r"(\d+) requests in", out)
    if found is None or "Non-2xx" in out:
        raise RuntimeError(f"{target.name}: wrk failed or got errors:\n{out}")
    n = int(found.group(1))
    server = (user1 - user0) + (system1 - system0)
    return {
        "requests/s": n / seconds,
        "server user us": 1e6 * (user1 - user0) / n,
        "server sys us": 1e6 * (system1 - system0) / n,
        "server us": 1e6 * server / n,
        "rest of machine us": 1e6 * (busy - server) / n,
    }


def prepare(target: Target, token: str, workdir: Path) -> dict[str, Path]:
    """A run to log to and the seeded experiment, and a wrk script per request."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=target.url, headers=headers, timeout=60) as http:
        found = http.get(
            "/api/2.0/mlflow/experiments/get-by-name",
            params={"experiment_name": "bench-w3-search"},
        ).json()
        experiment_id = found["experiment"]["experiment_id"]
        run = http.post("/api/2.0/mlflow/runs/create", json={"experiment_id": experiment_id})
        run_id = run.json()["run"]["info"]["run_id"]
    scripts = {}
    for request in CONNECTIONS:
        path, body = lua_body(request, run_id, experiment_id)
        script = workdir / f"{target.name}-{request}.lua"
        script.write_text(LUA.format(token=token, path=path, body=body))
        scripts[request] = script
    return scripts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="append", required=True, help="NAME=CHECKOUT")
    parser.add_argument("--runs", type=int, default=5000, help="runs seeded for the search")
    parser.add_argument("--seconds", type=int, default=8, help="wrk's duration per block")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-prefix", default="bench_wrk")
    parser.add_argument(
        "--requests",
        default=",".join(CONNECTIONS),
        help=f"which of {', '.join(CONNECTIONS)} to measure",
    )
    args = parser.parse_args()
    requests = {name: CONNECTIONS[name] for name in args.requests.split(",")}
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    builds = [(n, Path(p).resolve()) for n, p in (b.split("=", 1) for b in args.build)]
    workdir = Path(tempfile.mkdtemp(prefix="grimoire-wrk-cpu-"))
    admin = postgres_admin_url(workdir)
    template, token = seed(admin, args.database_prefix, args.runs, workdir)
    targets = [serve(admin, template, name, repo, workdir) for name, repo in builds]
    figures: dict[tuple[str, str], list[dict[str, float]]] = {}
    try:
        scripts = {t.name: prepare(t, token, workdir) for t in targets}
        for round_number in range(args.rounds):
            for request, connections in requests.items():
                for target in targets if round_number % 2 == 0 else reversed(targets):
                    time.sleep(1)  # let the previous block's writes settle
                    block = measure(
                        target, scripts[target.name][request], connections, args.seconds
                    )
                    figures.setdefault((target.name, request), []).append(block)
                    log(
                        f"{target.name} {request}: "
                        + ", ".join(f"{key} {value:,.0f}" for key, value in block.items())
                    )
    finally:
        for target in targets:
            stop(target)
    print("| build | request | requests/s | server CPU us (user + sys) | rest of machine us |")
    print("|---|---|---|---|---|")
    for (name, request), blocks in figures.items():
        median = {key: statistics.median(b[key] for b in blocks) for key in blocks[0]}
        print(
            f"| {name} | {request} | {median['requests/s']:,.0f} | {median['server us']:,.0f} "
            f"({median['server user us']:,.0f} + {median['server sys us']:,.0f}) "
            f"| {median['rest of machine us']:,.0f} |"
        )
    log(f"load average {psutil.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
