"""The promotion example in docs/registry.md works as written."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from mlflow import MlflowClient

from tests.fixtures.servers import REPO, free_port

EXAMPLE = REPO / "docs" / "examples" / "promotion_receiver.py"
API = "/api/2.0/mlflow"


def test_receiver_deploys_on_champion_alias_and_production_stage(
    tracking_uri: str, api: httpx.Client, tmp_path: Path
) -> None:
    port = free_port()
    deployed = tmp_path / "deployed.txt"
    receiver = subprocess.Popen(
        [sys.executable, str(EXAMPLE), "--port", str(port)],
        env={
            **os.environ,
            "WEBHOOK_SECRET": "promote-me",
            "DEPLOY_COMMAND": f"sh -c 'echo {{name}}:{{version}} >> {deployed}'",
        },
    )
    try:
        time.sleep(0.5)
        url = f"http://127.0.0.1:{port}/hooks/grimoire"
        created = api.post(
            f"{API}/webhooks",
            json={
                "name": "deployer",
                "url": url,
                "secret": "promote-me",
                "events": [
                    {"entity": "MODEL_VERSION_ALIAS", "action": "CREATED"},
                    {"entity": "MODEL_VERSION_STAGE", "action": "TRANSITIONED"},
                ],
            },
        )
        assert created.status_code == 200, created.text
        client = MlflowClient()
        name = f"recommender-{port}"
        client.create_registered_model(name)
        for _ in range(3):
            client.create_model_version(name, "s3://bucket/model")
        client.set_registered_model_alias(name, "shadow", "1")  # not a promotion
        client.set_registered_model_alias(name, "champion", "2")
        client.transition_model_version_stage(name, "1", "Staging")  # not a promotion
        client.transition_model_version_stage(name, "3", "Production")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if deployed.exists() and len(deployed.read_text().split()) >= 2:
                break
            time.sleep(0.1)
        time.sleep(0.5)
        webhook_id = created.json()["webhook"]["webhook_id"]
        history = api.get(f"{API}/webhooks/{webhook_id}/deliveries").json()["deliveries"]
        assert deployed.exists(), history
        assert sorted(deployed.read_text().split()) == [f"{name}:2", f"{name}:3"]
        # A forged delivery is refused.
        forged = httpx.post(
            url,
            content=b'{"entity": "model_version_alias", "action": "created", "data": {}}',
            headers={
                "X-MLflow-Delivery-Id": "x",
                "X-MLflow-Timestamp": str(int(time.time())),
                "X-MLflow-Signature": "v1,AAAA",
            },
        )
        assert forged.status_code == 401
    finally:
        receiver.terminate()
        receiver.wait(10)
