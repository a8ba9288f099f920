"""The real mlflow client against a server: a naive `mlflow.log_metric` loop, with async
logging off and on, timed end to end (including the flush at end_run).

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 [MLFLOW_TRACKING_TOKEN=...] \\
        python bench/client_logging.py --calls 1000

Prints one JSON line: calls per second in each mode.
"""

import argparse
import json
import os
import time
import uuid


def run(calls: int, asynchronous: bool) -> float:
    import mlflow

    mlflow.set_experiment(f"client-bench-{uuid.uuid4().hex[:8]}")
    started = time.perf_counter()
    with mlflow.start_run():
        for step in range(calls):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step, synchronous=not asynchronous)
    return calls / (time.perf_counter() - started)  # end_run flushes pending async writes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "7")
    result = {
        "sync_calls_per_s": round(run(args.calls, asynchronous=False), 1),
        "async_calls_per_s": round(run(args.calls, asynchronous=True), 1),
        "calls": args.calls,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
