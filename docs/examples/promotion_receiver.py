"""A webhook receiver that deploys a model when it is promoted.

Promotion means: a version gets the `champion` alias, or is transitioned to Production.
The receiver verifies MLflow's signature (so it works with MLflow's webhooks too), rejects
stale or replayed deliveries, answers at once and deploys in the background.

    WEBHOOK_SECRET=... DEPLOY_COMMAND='./deploy.sh {name} {version}' \\
        python promotion_receiver.py --port 8080

Standard library only; put it behind your usual TLS ingress.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import shlex
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_AGE_SECONDS = 300  # reject deliveries signed more than 5 minutes ago (replays)
SEEN: set[str] = set()  # delivery ids already handled: retries of a delivered event are no-ops
SEEN_LOCK = threading.Lock()


def signature_is_valid(secret: str, headers, body: str) -> bool:
    delivery_id = headers.get("X-MLflow-Delivery-Id", "")
    timestamp = headers.get("X-MLflow-Timestamp", "")
    signature = headers.get("X-MLflow-Signature", "")
    if not (delivery_id and timestamp.isdigit() and signature.startswith("v1,")):
        return False
    if abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    expected = hmac.new(
        secret.encode(), f"{delivery_id}.{timestamp}.{body}".encode(), hashlib.sha256
    ).digest()
    return hmac.compare_digest(signature, "v1," + base64.b64encode(expected).decode())


def promotion(payload: dict) -> tuple[str, str] | None:
    """(model name, version) when this event promotes a version, else None."""
    event, data = f"{payload['entity']}.{payload['action']}", payload["data"]
    if event == "model_version_alias.created" and data["alias"] == "champion":
        return data["name"], data["version"]
    if event == "model_version_stage.transitioned" and data["to_stage"] == "Production":
        return data["name"], data["version"]
    return None


def deploy(command: str, name: str, version: str) -> None:
    argv = [part.format(name=name, version=version) for part in shlex.split(command)]
    subprocess.run(argv, check=False)


class Handler(BaseHTTPRequestHandler):
    secret = os.environ.get("WEBHOOK_SECRET", "")
    # Not "command": BaseHTTPRequestHandler uses that name for the HTTP method.
    deploy_command = os.environ.get("DEPLOY_COMMAND", "echo deploy {name} {version}")

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if not signature_is_valid(self.secret, self.headers, body):
            self.send_response(401)
            self.end_headers()
            return
        delivery_id = self.headers["X-MLflow-Delivery-Id"]
        with SEEN_LOCK:
            duplicate = delivery_id in SEEN
            SEEN.add(delivery_id)
        target = None if duplicate else promotion(json.loads(body))
        if target is not None:
            threading.Thread(
                target=deploy, args=(self.deploy_command, *target), daemon=True
            ).start()
        self.send_response(202 if target else 200)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    if not Handler.secret:
        raise SystemExit("set WEBHOOK_SECRET to the secret given when creating the webhook")
    ThreadingHTTPServer((args.host, args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
