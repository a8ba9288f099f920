"""Server CPU per request without HTTP or a load generator: the W2 and W4 requests sent
straight into `grimoire server`'s ASGI app in this process, against a real PostgreSQL, with
authentication on and a team member's token (as bench/run.py calls Grimoire).

    python bench/inprocess.py                  # W2: 16 concurrent log-metric loops; W4: pages
    python bench/inprocess.py --workloads W1   # the yardstick's 100-point log-batch, 16 loops
    python bench/inprocess.py --workloads W4 --repeat 5

On a shared 2-core machine the end-to-end figures move with everyone else's load, while the
CPU seconds this process spends per request (time.process_time) barely do: run it on two
checkouts one after the other, alternately, and compare medians. What it leaves out is
uvicorn's own HTTP work; what it counts includes the in-process client (a few microseconds
a request) but not its JSON decoding of history pages, which is timed and subtracted.
"""

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from common import log
from postgres import fresh_database, postgres_admin_url
from targets import start_grimoire, stop

API = "/api/2.0/mlflow"


class AsgiClient:
    """Requests as uvicorn would hand them to the app, answers collected in memory."""

    def __init__(self, app: Any, token: str):
        self.app, self.token = app, token.encode()
        self.decode_s = 0.0  # the client's own JSON decoding, not the server's

    async def call(self, method: str, path: str, body: Any = None, query: Any = None) -> Any:
        raw = b"" if body is None else json.dumps(body).encode()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": API + path,
            "raw_path": (API + path).encode(),
            "query_string": urlencode(query or {}).encode(),
            "root_path": "",
            "headers": [
                (b"host", b"127.0.0.1"),
                (b"authorization", b"Bearer " + self.token),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
            ],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
            "state": {},
        }
        messages = [{"type": "http.request", "body": raw, "more_body": False}]
        answer: dict[str, Any] = {"body": []}

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await asyncio.Event().wait()  # no disconnect while the app is working
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            else:
                answer["body"].append(message.get("body", b""))

        await self.app(scope, receive, send)
        data = b"".join(answer["body"])
        if answer["status"] != 200:
            raise RuntimeError(f"{method} {path}: {answer['status']} {data[:300]!r}")
        started = time.process_time()
        decoded = json.loads(data)
        self.decode_s += time.process_time() - started
        return decoded


async def started(app: Any) -> tuple[asyncio.Queue, asyncio.Task]:
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))
    message = await outbox.get()
    if message["type"] != "lifespan.startup.complete":
        raise RuntimeError(message)
    return inbox, task


async def w2(client: AsgiClient, experiment: str, requests: int) -> float:
    """CPU microseconds per log-metric: 16 runs, each logging one point per request."""
    runs = [
        (await client.call("POST", "/runs/create", {"experiment_id": experiment}))["run"]["info"][
            "run_id"
        ]
        for _ in range(16)
    ]

    async def loop(run_id: str, first: int, n: int) -> None:
        for step in range(first, first + n):
            point = {"key": "loss", "value": 0.5, "step": step, "timestamp": 1_700_000_000_000}
            await client.call("POST", "/runs/log-metric", {"run_id": run_id, **point})

    await asyncio.gather(*(loop(run_id, 0, 20) for run_id in runs))  # warm-up
    per_client = requests // len(runs)
    begin = time.process_time()
    await asyncio.gather(*(loop(run_id, 1000, per_client) for run_id in runs))
    return (time.process_time() - begin) / (per_client * len(runs)) * 1e6


async def w1(client: AsgiClient, experiment: str, batches: int) -> float:
    """CPU microseconds per metric point: the yardstick's W1 batches (100 points: 5 keys x 20
    steps; every tenth batch also one param and one tag) from 16 concurrent loops."""
    runs = [
        (await client.call("POST", "/runs/create", {"experiment_id": experiment}))["run"]["info"][
            "run_id"
        ]
        for _ in range(16)
    ]
    keys = ("loss", "accuracy", "learning_rate", "grad_norm", "val_loss")

    async def loop(run_id: str, first: int, n: int) -> None:
        for batch in range(first, first + n):
            body: dict[str, Any] = {
                "run_id": run_id,
                "metrics": [
                    {"key": key, "value": 0.5, "timestamp": 1_700_000_000_000 + step, "step": step}
                    for step in range(batch * 20, batch * 20 + 20)
                    for key in keys
                ],
            }
            if batch % 10 == 0:
                body["params"] = [{"key": f"param_{batch}", "value": str(batch)}]
                body["tags"] = [{"key": "last_checkpoint", "value": f"batch-{batch}"}]
            await client.call("POST", "/runs/log-batch", body)

    await asyncio.gather(*(loop(run_id, 0, 10) for run_id in runs))  # warm-up
    per_client = batches // len(runs)
    begin = time.process_time()
    await asyncio.gather(*(loop(run_id, 1000, per_client) for run_id in runs))
    return (time.process_time() - begin) / (per_client * len(runs) * 100) * 1e6


async def w4(client: AsgiClient, experiment: str, repeat: int) -> float:
    """CPU milliseconds per full fetch of a 200,000-point history in 25,000-point pages."""
    created = await client.call("POST", "/runs/create", {"experiment_id": experiment})
    run_id = created["run"]["info"]["run_id"]
    for first in range(0, 200_000, 1000):
        points = [
            {
                "key": "h",
                "value": step % 997 / 997,
                "timestamp": 1_700_000_000_000 + step,
                "step": step,
            }
            for step in range(first, first + 1000)
        ]
        await client.call("POST", "/runs/log-batch", {"run_id": run_id, "metrics": points})

    async def fetch() -> float:
        client.decode_s, token, count = 0.0, None, 0
        begin = time.process_time()
        while True:
            query = {"run_id": run_id, "metric_key": "h", "max_results": 25_000}
            page = await client.call(
                "GET",
                "/metrics/get-history",
                query={**query, **({"page_token": token} if token else {})},
            )
            count += len(page["metrics"])
            token = page.get("next_page_token")
            if not token:
                assert count == 200_000, count
                return (time.process_time() - begin - client.decode_s) * 1000

    await fetch()  # warm-up
    return statistics.median([await fetch() for _ in range(repeat)])


async def measure(token: str, workloads: list[str], requests: int, repeat: int) -> dict:
    from services.server import GrimoireServer  # after the environment is set

    app = GrimoireServer()
    inbox, task = await started(app)
    client = AsgiClient(app, token)
    experiment = (await client.call("POST", "/experiments/create", {"name": f"cpu-{time.time()}"}))[
        "experiment_id"
    ]
    figures = {}
    if "W1" in workloads:
        figures["W1 server CPU us per point"] = round(await w1(client, experiment, requests), 2)
    if "W2" in workloads:
        figures["W2 server CPU us per log-metric"] = round(
            await w2(client, experiment, requests), 1
        )
    if "W4" in workloads:
        figures["W4 server CPU ms per full fetch"] = round(await w4(client, experiment, repeat), 1)
    await inbox.put({"type": "lifespan.shutdown"})
    await task
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workloads", default="W2,W4")
    parser.add_argument(
        "--requests", type=int, default=2400, help="W2 log-metric requests (W1: batches)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="W4 timed full fetches")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="grimoire-inprocess-"))
    database = fresh_database(postgres_admin_url(workdir), "bench_inprocess")
    # A real server once, to migrate and to give the team its default grant as bench/run.py
    # does; then the same database is served from this process.
    target, _ = start_grimoire(database, workdir, workers=1)
    stop(target)
    os.environ.update(
        {
            "GRIMOIRE_DATABASE_URL": database,
            "GRIMOIRE_AUTH_ISSUER": "https://issuer.invalid",
            "GRIMOIRE_AUTH_ADMIN_GROUPS": "bench-admins",
            "GRIMOIRE_DATA_DIR": str(workdir / "data"),
            "GRIMOIRE_ARTIFACTS_ROOT": str(workdir / "artifacts"),
        }
    )
    from cryptography.fernet import Fernet

    os.environ.setdefault("GRIMOIRE_REGISTRY_WEBHOOK_SECRET_KEY", Fernet.generate_key().decode())
    import uvloop

    assert target.token is not None
    figures = uvloop.run(
        measure(target.token, args.workloads.split(","), args.requests, args.repeat)
    )
    # On stderr: the request log (one JSON line a request) goes to standard output.
    log(f"{json.dumps(figures)}; load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
