"""Durable, signed webhooks, tested against a real HTTP receiver."""

import asyncio
import base64
import hashlib
import hmac
import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from mlflow import MlflowClient
from mlflow.entities.webhook import WebhookAction, WebhookEntity, WebhookEvent

from services.core.config import RegistrySettings
from services.core.db.migrate import upgrade
from services.core.errors import InvalidParameterValue
from services.registry.webhooks import ssrf
from tests.fixtures.databases import create_database, drop_database
from tests.fixtures.receiver import Receiver, Reply
from tests.fixtures.servers import RunningServer, start_server, stop_server

API = "/api/2.0/mlflow"
SECRET = "s3cr3t-signing-key"
ALL_EVENTS = [
    {"entity": "REGISTERED_MODEL", "action": "CREATED"},
    {"entity": "MODEL_VERSION", "action": "CREATED"},
    {"entity": "MODEL_VERSION_TAG", "action": "SET"},
    {"entity": "MODEL_VERSION_TAG", "action": "DELETED"},
    {"entity": "MODEL_VERSION_ALIAS", "action": "CREATED"},
    {"entity": "MODEL_VERSION_ALIAS", "action": "DELETED"},
    {"entity": "MODEL_VERSION_STAGE", "action": "TRANSITIONED"},
]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


def independent_signature(secret: str, delivery_id: str, timestamp: str, body: str) -> str:
    """Computed here from MLflow's documented scheme, not with Grimoire's code."""
    mac = hmac.new(secret.encode(), f"{delivery_id}.{timestamp}.{body}".encode(), hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def make_webhook(api: httpx.Client, url: str, events=None, secret: str | None = SECRET) -> str:
    body = {"name": f"hook-{uuid.uuid4().hex[:6]}", "url": url, "events": events or ALL_EVENTS}
    if secret:
        body["secret"] = secret
    response = api.post(f"{API}/webhooks", json=body)
    assert response.status_code == 200, response.text
    return response.json()["webhook"]["webhook_id"]


def deliveries(api: httpx.Client, webhook_id: str) -> list[dict]:
    return api.get(f"{API}/webhooks/{webhook_id}/deliveries").json()["deliveries"]


def test_webhook_crud_through_the_client_and_secret_never_returned(
    tracking_uri: str, receiver: Receiver, api: httpx.Client, database_url: str
) -> None:
    client = MlflowClient()
    created = client.create_webhook(
        name="ci",
        url=receiver.url,
        events=[WebhookEvent(WebhookEntity.MODEL_VERSION, WebhookAction.CREATED)],
        description="promote",
        secret=SECRET,
    )
    fetched = client.get_webhook(created.webhook_id)
    assert fetched.name == "ci" and fetched.url == receiver.url
    assert [(e.entity, e.action) for e in fetched.events] == [
        (WebhookEntity.MODEL_VERSION, WebhookAction.CREATED)
    ]
    assert created.webhook_id in [w.webhook_id for w in client.list_webhooks(max_results=1000)]
    updated = client.update_webhook(created.webhook_id, name="ci-2", status="DISABLED")
    assert updated.name == "ci-2" and updated.status.value == "DISABLED"
    raw = api.get(f"{API}/webhooks/{created.webhook_id}").text
    assert SECRET not in raw and "secret" not in raw

    async def stored_secret() -> bytes:
        conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        try:
            return await conn.fetchval(
                "SELECT secret_encrypted FROM webhooks WHERE webhook_id=$1", created.webhook_id
            )
        finally:
            await conn.close()

    ciphertext = asyncio.run(stored_secret())
    assert ciphertext and SECRET.encode() not in ciphertext
    client.delete_webhook(created.webhook_id)
    assert created.webhook_id not in [w.webhook_id for w in client.list_webhooks(max_results=1000)]


def test_every_event_is_delivered_signed_with_mlflow_payloads(
    tracking_uri: str, receiver: Receiver, api: httpx.Client
) -> None:
    make_webhook(api, receiver.url)
    client = MlflowClient()
    name = f"promoted-{uuid.uuid4().hex[:6]}"
    client.create_registered_model(name, tags={"team": "ml"}, description="d")
    client.create_model_version(name, "s3://bucket/model", tags={"t": "1"})
    client.set_model_version_tag(name, "1", "validated", "yes")
    client.delete_model_version_tag(name, "1", "validated")
    client.set_registered_model_alias(name, "champion", "1")
    client.delete_registered_model_alias(name, "champion")
    client.transition_model_version_stage(name, "1", "Production")

    received = receiver.wait_for(7)
    events = {}
    for request in received:
        headers = {k.lower(): v for k, v in request.headers.items()}
        delivery_id, timestamp = headers["x-mlflow-delivery-id"], headers["x-mlflow-timestamp"]
        assert headers["x-mlflow-signature"] == independent_signature(
            SECRET, delivery_id, timestamp, request.body
        )
        payload = request.json
        events[f"{payload['entity']}.{payload['action']}"] = payload
        assert payload["timestamp"]
    assert events["registered_model.created"]["data"] == {
        "name": name,
        "tags": {"team": "ml"},
        "description": "d",
    }
    created = events["model_version.created"]["data"]
    assert (created["name"], created["version"], created["source"]) == (
        name,
        "1",
        "s3://bucket/model",
    )
    assert created["tags"] == {"t": "1"}
    assert events["model_version_tag.set"]["data"] == {
        "name": name,
        "version": "1",
        "key": "validated",
        "value": "yes",
    }
    assert events["model_version_tag.deleted"]["data"] == {
        "name": name,
        "version": "1",
        "key": "validated",
    }
    assert events["model_version_alias.created"]["data"] == {
        "name": name,
        "alias": "champion",
        "version": "1",
    }
    assert events["model_version_alias.deleted"]["data"] == {"name": name, "alias": "champion"}
    stage = events["model_version_stage.transitioned"]["data"]
    assert (stage["from_stage"], stage["to_stage"], stage["version"]) == ("None", "Production", "1")


def test_retries_after_500s_and_honours_retry_after(receiver: Receiver, api: httpx.Client) -> None:
    receiver.script = [Reply(500), Reply(503), Reply(429, {"Retry-After": "2"}), Reply(200)]
    webhook_id = make_webhook(api, receiver.url, events=[ALL_EVENTS[0]])
    api.post(f"{API}/registered-models/create", json={"name": f"retry-{uuid.uuid4().hex[:6]}"})
    received = receiver.wait_for(4, timeout=30)
    ids = {r.headers["X-MLflow-Delivery-Id"] for r in received}
    assert len(ids) == 1  # one delivery, retried: receivers can deduplicate by its id
    assert received[3].at - received[2].at >= 1.9  # Retry-After: 2 was honoured
    delivery = wait_state(api, webhook_id, "succeeded")
    assert [a["status_code"] for a in delivery["attempt_log"]] == [500, 503, 429, 200]
    assert all(a["duration_ms"] >= 0 for a in delivery["attempt_log"])
    assert delivery["attempt_log"][0]["response_excerpt"] == "ok"


def test_permanent_failure_is_recorded_and_can_be_replayed(
    receiver: Receiver, api: httpx.Client
) -> None:
    receiver.default = Reply(400, body="bad payload")
    webhook_id = make_webhook(api, receiver.url, events=[ALL_EVENTS[0]])
    api.post(f"{API}/registered-models/create", json={"name": f"replay-{uuid.uuid4().hex[:6]}"})
    receiver.wait_for(1)
    delivery = wait_state(api, webhook_id, "failed")
    assert [a["status_code"] for a in delivery["attempt_log"]] == [400]
    assert delivery["attempt_log"][0]["response_excerpt"] == "bad payload"

    receiver.default = Reply(200)
    replay = api.post(f"{API}/webhooks/{webhook_id}/deliveries/{delivery['delivery_id']}/replay")
    assert replay.status_code == 200
    received = receiver.wait_for(2)
    assert received[1].headers["X-MLflow-Delivery-Id"] == delivery["delivery_id"]
    assert wait_state(api, webhook_id, "succeeded")["delivery_id"] == delivery["delivery_id"]


def wait_state(api: httpx.Client, webhook_id: str, state: str, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [d for d in deliveries(api, webhook_id) if d["state"] == state]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no delivery reached {state}: {deliveries(api, webhook_id)}")


def test_extension_event_keeps_the_mlflow_client_working(
    tracking_uri: str, receiver: Receiver, api: httpx.Client
) -> None:
    webhook_id = make_webhook(api, receiver.url, events=[ALL_EVENTS[0], ALL_EVENTS[6]])
    raw = api.get(f"{API}/webhooks/{webhook_id}").json()["webhook"]
    assert raw["events"] == [ALL_EVENTS[0]]
    assert raw["grimoire_events"] == [ALL_EVENTS[6]]
    listed = {w.webhook_id: w for w in MlflowClient().list_webhooks(max_results=1000)}
    assert [(e.entity, e.action) for e in listed[webhook_id].events] == [
        (WebhookEntity.REGISTERED_MODEL, WebhookAction.CREATED)
    ]


def test_test_endpoint_sends_a_signed_example(receiver: Receiver, api: httpx.Client) -> None:
    webhook_id = make_webhook(api, receiver.url, events=[ALL_EVENTS[6]])
    result = api.post(f"{API}/webhooks/{webhook_id}/test", json={}).json()["result"]
    assert result["success"] is True and result["response_status"] == 200
    [request] = receiver.wait_for(1)
    assert request.json["entity"] == "model_version_stage"
    assert request.json["data"]["to_stage"] == "Production"
    headers = request.headers
    assert headers["X-MLflow-Signature"] == independent_signature(
        SECRET, headers["X-MLflow-Delivery-Id"], headers["X-MLflow-Timestamp"], request.body
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/hook",
        "http://0.0.0.0/hook",
        "ftp://example.com/hook",
        "http://user:pass@127.0.0.1/hook",
        "not a url",
    ],
)
def test_ssrf_targets_are_refused(api: httpx.Client, url: str) -> None:
    response = api.post(
        f"{API}/webhooks", json={"name": "evil", "url": url, "events": [ALL_EVENTS[0]]}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"


def test_default_settings_require_https_and_public_targets() -> None:
    settings = RegistrySettings(_env_file=None)
    for url in ("http://example.com/hook", "https://127.0.0.1/hook", "https://10.1.2.3/hook"):
        with pytest.raises(InvalidParameterValue):
            asyncio.run(ssrf.validate(url, settings))
    allowed = RegistrySettings(webhook_allowed_hosts="10.0.0.0/8")
    asyncio.run(ssrf.validate("https://10.1.2.3/hook", allowed))


@pytest.fixture
def isolated_database(postgres_admin_url: str) -> Iterator[str]:
    """A database of its own, so no other server's delivery worker takes these deliveries."""
    url = create_database(postgres_admin_url)
    asyncio.run(upgrade(url))
    yield url
    drop_database(postgres_admin_url, url)


def registry_server(database_url: str, tmp_path: Path, name: str) -> RunningServer:
    env = {
        "GRIMOIRE_DATABASE_URL": database_url,
        "GRIMOIRE_ARTIFACTS_ROOT": str(tmp_path / "artifacts"),
        "GRIMOIRE_REGISTRY_WEBHOOK_LEASE_SECONDS": "2",
        "GRIMOIRE_REGISTRY_WEBHOOK_TIMEOUT_SECONDS": "30",
    }
    return start_server("services.registry.main:app", env, tmp_path / f"{name}.log")


def test_service_killed_mid_delivery_delivers_after_restart(
    isolated_database: str, tmp_path: Path, receiver: Receiver
) -> None:
    receiver.script = [Reply(200, delay=30)]  # the first attempt hangs until we kill the sender
    first = registry_server(isolated_database, tmp_path, "first")
    try:
        with httpx.Client(base_url=first.url, timeout=30) as api:
            webhook_id = make_webhook(api, receiver.url, events=[ALL_EVENTS[0]])
            api.post(f"{API}/registered-models/create", json={"name": "survivor"})
        [hanging] = receiver.wait_for(1)
        os.kill(first.process.pid, signal.SIGKILL)  # no graceful shutdown
        first.process.wait(10)
    finally:
        stop_server(first)
    second = registry_server(isolated_database, tmp_path, "second")
    try:
        received = receiver.wait_for(2, timeout=30)
        assert (
            received[1].headers["X-MLflow-Delivery-Id"] == hanging.headers["X-MLflow-Delivery-Id"]
        )
        assert received[1].json["data"]["name"] == "survivor"
        with httpx.Client(base_url=second.url, timeout=30) as api:
            assert wait_state(api, webhook_id, "succeeded")
    finally:
        stop_server(second)


def test_two_replicas_never_send_the_same_attempt_twice(
    isolated_database: str, tmp_path: Path, receiver: Receiver
) -> None:
    replicas = [registry_server(isolated_database, tmp_path, f"replica{i}") for i in range(2)]
    try:
        with httpx.Client(base_url=replicas[0].url, timeout=30) as api:
            make_webhook(api, receiver.url, events=[ALL_EVENTS[0]])
            for i in range(30):
                api.post(f"{API}/registered-models/create", json={"name": f"model-{i}"})
        received = receiver.wait_for(30)
        time.sleep(1.5)  # anything sent twice would have arrived by now
        ids = [r.headers["X-MLflow-Delivery-Id"] for r in receiver.received]
        assert len(ids) == len(set(ids)) == 30
        assert {r.json["data"]["name"] for r in received} == {f"model-{i}" for i in range(30)}
    finally:
        for replica in replicas:
            stop_server(replica)
