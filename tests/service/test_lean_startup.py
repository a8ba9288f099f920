"""A service loads only what its configuration uses: aioboto3 (with botocore and aiohttp)
only with an S3 artifact root, authlib and joserfc only with an identity provider, mlflow
never. Each case starts a service in a fresh interpreter, runs its lifespan against the test
database (pool, schema check, credential listener) and answers /ready, then lists what it
imported. Startup time and memory are measured by bench/startup.py, not here."""

import json
import os
import subprocess
import sys

import pytest

from tests.fixtures.servers import REPO

HEAVY = ("aioboto3", "botocore", "aiohttp", "authlib", "joserfc", "mlflow")

PROBE = """
import json, sys
from starlette.testclient import TestClient
from services.{service}.main import app

with TestClient(app) as client:
    ready = client.get("/ready").status_code
print(json.dumps({{"ready": ready, "loaded": sorted(
    m for m in {heavy!r} if m in sys.modules
)}}))
"""


def started(service: str, env: dict[str, str]) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GRIMOIRE_")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(service=service, heavy=HEAVY)],
        cwd=REPO,
        env={**base, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("service", ["tracking", "artifacts"])
def test_a_service_without_s3_or_an_issuer_loads_neither(
    service: str, database_url: str, tmp_path
) -> None:
    figures = started(
        service,
        {
            "GRIMOIRE_DATABASE_URL": database_url,
            "GRIMOIRE_ARTIFACTS_ROOT": str(tmp_path / "artifacts"),
            "GRIMOIRE_AUTH_DISABLED": "true",
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
    assert figures["loaded"] == ["aioboto3", "aiohttp", "authlib", "botocore", "joserfc"]
