"""A service loads only what its configuration uses: aioboto3 (with botocore and aiohttp)
only with an S3 artifact root; httpx only with an identity provider, and joserfc (with
cryptography) only at the first JWT, authlib only at the first browser sign-in; httpx never
with its command-line client (rich); mlflow never; alembic only to migrate, which serving
processes never do; the webhook client (httpx) and cryptography only when a webhook is sent
or its secret stored. Each case starts a service (or every service, as `grimoire server`'s workers
do) in a fresh interpreter, runs its lifespan against the test database (pool, schema check,
credential listener, the webhook delivery loop) and answers /ready, then lists what it
imported. Startup time and memory are measured by bench/startup.py, not here."""

import json
import os
import subprocess
import sys

import pytest

from services.core.db.schema_version import head_revision
from tests.fixtures.databases import create_database, drop_database
from tests.fixtures.servers import REPO

HEAVY = (
    "aioboto3",
    "botocore",
    "aiohttp",
    "authlib",
    "joserfc",
    "mlflow",
    "alembic",
    "httpx",
    "rich",
    "cryptography",
)
# What each case starts: a service alone, or all of them as one `grimoire server` worker.
APPS = {
    "tracking": "services.tracking.main",
    "artifacts": "services.artifacts.main",
    "registry": "services.registry.main",
    "server": "services.server",
}

# Plain ASGI messages rather than Starlette's TestClient, which would import httpx itself.
PROBE = """
import asyncio, json, sys
from {module} import app


async def lifespan(inbox, outbox):
    scope = {{"type": "lifespan", "asgi": {{"version": "3.0"}}, "state": {{}}}}
    await app(scope, inbox.get, outbox.put)


async def get(path):
    sent = []

    async def receive():
        return {{"type": "http.request", "body": b"", "more_body": False}}

    async def send(message):
        sent.append(message)

    scope = {{"type": "http", "asgi": {{"version": "3.0"}}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": [], "client": ("127.0.0.1", 1), "server": ("t", 80)}}
    await app(scope, receive, send)
    return sent[0]["status"]


async def main():
    inbox, outbox = asyncio.Queue(), asyncio.Queue()
    running = asyncio.create_task(lifespan(inbox, outbox))
    await inbox.put({{"type": "lifespan.startup"}})
    started = await outbox.get()
    assert started["type"] == "lifespan.startup.complete", started
    ready = await get("/ready")
    await inbox.put({{"type": "lifespan.shutdown"}})
    await running
    return ready


ready = asyncio.run(main())
print(json.dumps({{"ready": ready, "loaded": sorted(
    m for m in {heavy!r} if m in sys.modules
)}}))
"""


def started(service: str, env: dict[str, str]) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GRIMOIRE_")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=APPS[service], heavy=HEAVY)],
        cwd=REPO,
        env={**base, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("service", sorted(APPS))
def test_a_service_without_s3_an_issuer_or_webhooks_loads_none_of_them(
    service: str, database_url: str, tmp_path
) -> None:
    figures = started(
        service,
        {
            "GRIMOIRE_DATABASE_URL": database_url,
            "GRIMOIRE_ARTIFACTS_ROOT": str(tmp_path / "artifacts"),
            "GRIMOIRE_AUTH_DISABLED": "true",
            "GRIMOIRE_REGISTRY_WEBHOOK_SECRET_KEY": "0" * 43 + "=",
        },
    )
    assert figures == {"ready": 200, "loaded": []}


def test_s3_and_an_issuer_load_their_clients_when_configured(database_url: str, tmp_path) -> None:
    figures = started(
        "tracking",
        {
            "GRIMOIRE_DATABASE_URL": database_url,
            "GRIMOIRE_ARTIFACTS_ROOT": "s3://bucket/prefix",
            "GRIMOIRE_AUTH_ISSUER": "https://issuer.invalid",
        },
    )
    assert figures["ready"] == 200
    # httpx is the OIDC provider's client; nothing at start needs a JWT verified (joserfc,
    # cryptography) or a browser signed in (authlib), and httpx's own CLI (rich) is skipped.
    assert figures["loaded"] == sorted(("aioboto3", "aiohttp", "botocore", "httpx"))


# `grimoire server`'s schema step (services/cli/server.py: _upgrade), in a fresh interpreter.
SCHEMA_STEP = """
import json, sys
from services.cli.server import _upgrade
before, after = _upgrade(sys.argv[1])
print(json.dumps({"before": before, "after": after, "alembic": "alembic" in sys.modules}))
"""


def schema_step(url: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCHEMA_STEP, url],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_server_start_migrates_an_empty_database_and_only_checks_one_at_head(
    postgres_admin_url: str,
) -> None:
    url = create_database(postgres_admin_url)
    try:
        head = head_revision()
        assert schema_step(url) == {"before": None, "after": head, "alembic": True}
        assert schema_step(url) == {"before": head, "after": head, "alembic": False}
    finally:
        drop_database(postgres_admin_url, url)
