"""Shared fixtures: real PostgreSQL, schema by the migrations, a real HTTP server.

PostgreSQL is the server on 127.0.0.1:5432 when one answers (a fresh database per test
session), otherwise an embedded pgserver in a temporary folder. The server under test is
`uvicorn services.server:app` in a subprocess, so tests talk to it over real sockets exactly
as the mlflow client does.
"""

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
from hypothesis import settings
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.core.config import DatabaseSettings
from services.core.db.engine import create_engine
from services.core.db.migrate import upgrade
from tests.fixtures.auth_stack import auth_stack  # noqa: F401  (a real OIDC provider + auth server)
from tests.fixtures.browser import browser  # noqa: F401  (Chromium, one per module)
from tests.fixtures.containers import (  # noqa: F401  (used only where a Docker engine answers)
    container_minio,
    container_postgres_url,
    engine_missing,
)
from tests.fixtures.databases import create_database, drop_database
from tests.fixtures.s3 import S3_BUCKET, s3_client
from tests.fixtures.servers import RunningServer, free_port, start_server, stop_server

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def _local_postgres_answers() -> bool:
    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(LOCAL_POSTGRES, timeout=2)
        except (TimeoutError, OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    return asyncio.run(probe())


def pytest_report_header() -> list[str]:
    """Which real parts this run uses, so a log says what the green or red was measured on."""
    postgres = "127.0.0.1:5432" if _local_postgres_answers() else "an embedded pgserver"
    missing = engine_missing()
    containers = "PostgreSQL and MinIO containers too" if missing is None else f"none: {missing}"
    return [f"PostgreSQL: {postgres}; S3: moto", f"testcontainers: {containers}"]


@pytest.fixture(scope="session")
def postgres_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL of a PostgreSQL server on which tests may create databases."""
    if _local_postgres_answers():
        yield LOCAL_POSTGRES
        return
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("pgserver"), cleanup_mode="stop")
    yield server.get_uri()


@pytest.fixture(scope="session")
def database_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh database for the session, migrated to head by the real migrations."""
    url = create_database(postgres_admin_url)
    asyncio.run(upgrade(url))
    yield url
    drop_database(postgres_admin_url, url)


@pytest.fixture(scope="session")
async def database_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The services' own engine (same driver, timeouts and session settings) on the session
    database."""
    engine = create_engine(database_url, DatabaseSettings(), "grimoire-tests")
    yield engine
    await engine.dispose()


@pytest.fixture
async def db_connection(database_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back when the test ends: a service
    function runs against the real migrated schema in milliseconds, and nothing it writes
    outlives the test (or is seen by any other connection)."""
    async with database_engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            await transaction.rollback()


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`grimoire server`'s app (every service in one process) on the session database."""
    root = tmp_path_factory.mktemp("artifacts")
    env = {
        "GRIMOIRE_DATABASE_URL": database_url,
        "GRIMOIRE_ARTIFACTS_ROOT": str(root),
        "GRIMOIRE_DATA_DIR": str(root.parent),
    }
    running = start_server("services.server:app", env, root.parent / "server.log")
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def tracking_uri(server: RunningServer) -> Iterator[str]:
    """Point the real, unmodified mlflow client at the server under test."""
    import mlflow

    previous = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = server.url
    # Fail fast in tests: a server error should surface, not be retried for minutes.
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    mlflow.set_tracking_uri(server.url)
    yield server.url
    if previous is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    """Raw HTTP access for wire-level assertions (status codes, error bodies)."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def experiment_name() -> str:
    return f"exp-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def mlflow_experiment(tracking_uri: str, experiment_name: str) -> Iterator[str]:
    """A fresh active experiment; yields its id."""
    import mlflow

    experiment = mlflow.set_experiment(experiment_name)
    yield experiment.experiment_id
    mlflow.end_run()


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real S3-protocol server (moto) in its own process, with the test bucket."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(endpoint, timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    s3_client(endpoint).create_bucket(Bucket=S3_BUCKET)
    yield endpoint
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def s3_server(
    database_url: str, moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """Every service in one process, artifacts in S3 (moto) under s3://grimoire-test/artifacts."""
    folder = tmp_path_factory.mktemp("s3server")
    env = {
        "GRIMOIRE_DATABASE_URL": database_url,
        "GRIMOIRE_ARTIFACTS_ROOT": f"s3://{S3_BUCKET}/artifacts",
        "GRIMOIRE_ARTIFACTS_S3_ENDPOINT_URL": moto_endpoint,
        "GRIMOIRE_ARTIFACTS_S3_ACCESS_KEY_ID": "test",
        "GRIMOIRE_ARTIFACTS_S3_SECRET_ACCESS_KEY": "test",
        "GRIMOIRE_DATA_DIR": str(folder),
    }
    running = start_server("services.server:app", env, folder / "server.log")
    yield running
    stop_server(running)


@pytest.fixture(params=["local", "s3"])
def store_server(request: pytest.FixtureRequest) -> RunningServer:
    """The same server on each artifact store."""
    return request.getfixturevalue("server" if request.param == "local" else "s3_server")


@pytest.fixture
def client_on(monkeypatch: pytest.MonkeyPatch):
    """Point the mlflow client (fluent API and MlflowClient) at a given server."""
    import mlflow

    def point(server: RunningServer) -> str:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
        monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        mlflow.set_tracking_uri(server.url)
        mlflow.set_experiment(f"artifacts-{uuid.uuid4().hex[:10]}")
        return server.url

    yield point
    mlflow.end_run()


# CI replays the same examples every run (a red CI blocks landing, so it must not depend on
# luck); local runs keep drawing new examples, which is how property tests find new cases.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
