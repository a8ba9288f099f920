"""The shared kit: migrations, startup checks, probes, metrics, overload behaviour."""

import asyncio
import threading
import time
from pathlib import Path

import asyncpg
import httpx
import pytest
from mlflow import MlflowClient

from services.core.db.migrate import upgrade
from services.core.db.schema_version import head_revision
from tests.fixtures.databases import create_database, drop_database
from tests.fixtures.servers import RunningServer, start_server, stop_server

API = "/api/2.0/mlflow"


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def test_concurrent_upgrades_serialise_on_the_advisory_lock(postgres_admin_url: str) -> None:
    url = create_database(postgres_admin_url)
    try:

        async def upgrade_four_at_once() -> list:
            return await asyncio.gather(*(upgrade(url) for _ in range(4)))

        results = asyncio.run(upgrade_four_at_once())
        assert all(after == head_revision() for _, after in results)
        # Exactly one replica found an empty schema; the others found it at head.
        assert sorted(before or "" for before, _ in results) == ["", *[head_revision()] * 3]

        async def count_default() -> int:
            conn = await asyncpg.connect(plain(url))
            try:
                return await conn.fetchval("SELECT count(*) FROM experiments WHERE name='Default'")
            finally:
                await conn.close()

        assert asyncio.run(count_default()) == 1
    finally:
        drop_database(postgres_admin_url, url)


def test_service_refuses_to_start_on_schema_not_at_head(
    postgres_admin_url: str, tmp_path: Path
) -> None:
    url = create_database(postgres_admin_url)
    try:
        env = {"GRIMOIRE_DATABASE_URL": url, "GRIMOIRE_ARTIFACTS_ROOT": str(tmp_path)}
        server = start_server("services.tracking.main:app", env, tmp_path / "log", wait=False)
        assert server.process.wait(timeout=30) != 0
        assert "grimoire db upgrade" in server.log()
    finally:
        drop_database(postgres_admin_url, url)


def test_each_service_runs_alone(database_url: str, tmp_path: Path) -> None:
    env = {"GRIMOIRE_DATABASE_URL": database_url, "GRIMOIRE_ARTIFACTS_ROOT": str(tmp_path)}
    for app, probe in [
        ("services.tracking.main:app", "/api/2.0/mlflow/experiments/get?experiment_id=0"),
        ("services.artifacts.main:app", "/api/2.0/mlflow-artifacts/artifacts"),
    ]:
        server = start_server(app, env, tmp_path / f"{app}.log")
        try:
            assert httpx.get(server.url + "/health").text == "OK"
            assert httpx.get(server.url + "/ready").json()["status"] == "ready"
            assert httpx.get(server.url + probe).status_code == 200
        finally:
            stop_server(server)


def test_metrics_are_labelled_by_route_template(api: httpx.Client) -> None:
    run_id = api.post(f"{API}/runs/create", json={"experiment_id": "0"}).json()["run"]["info"][
        "run_id"
    ]
    api.get(f"{API}/runs/get", params={"run_id": run_id})
    api.get("/api/2.0/mlflow-artifacts/artifacts/0/x/no-such-file")
    text = api.get("/metrics").text
    assert 'route="/api/2.0/mlflow/runs/get"' in text
    assert 'route="/api/2.0/mlflow-artifacts/artifacts/{artifact_path:path}"' in text
    assert run_id not in text
    assert "grimoire_http_request_duration_seconds_bucket" in text
    assert "grimoire_db_pool_connections_in_use" in text
    assert 'route="/health"' not in text


class HeldRunLock:
    """Hold a row lock on a run from outside, so requests that update it block in Postgres."""

    def __init__(self, database_url: str, run_id: str):
        self.url, self.run_id = plain(database_url), run_id
        self.locked, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._hold()))

    async def _hold(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            async with conn.transaction():
                await conn.execute("SELECT 1 FROM runs WHERE run_uuid=$1 FOR UPDATE", self.run_id)
                self.locked.set()
                await asyncio.to_thread(self.release.wait, 30)
        finally:
            await conn.close()

    def __enter__(self) -> "HeldRunLock":
        self.thread.start()
        assert self.locked.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        self.release.set()
        self.thread.join(10)


@pytest.fixture
def tiny_server(database_url: str, tmp_path: Path):
    env = {
        "GRIMOIRE_DATABASE_URL": database_url,
        "GRIMOIRE_ARTIFACTS_ROOT": str(tmp_path),
        "GRIMOIRE_DATABASE_POOL_SIZE": "1",
        "GRIMOIRE_DATABASE_MAX_OVERFLOW": "0",
        "GRIMOIRE_DATABASE_POOL_TIMEOUT": "0.3",
        "GRIMOIRE_SERVER_MAX_IN_FLIGHT": "3",
    }
    server = start_server("services.tracking.main:app", env, tmp_path / "tiny.log")
    yield server
    stop_server(server)


def test_pool_and_in_flight_limits_answer_503_with_retry_after(
    tiny_server: RunningServer, database_url: str
) -> None:
    with httpx.Client(base_url=tiny_server.url, timeout=30) as api:
        run = api.post(f"{API}/runs/create", json={"experiment_id": "0"}).json()["run"]
    run_id = run["info"]["run_id"]

    async def scenario(lock: HeldRunLock) -> tuple[httpx.Response, list[httpx.Response]]:
        async with httpx.AsyncClient(base_url=tiny_server.url, timeout=30) as client:
            update = {"run_id": run_id, "status": "FINISHED"}
            blocked = asyncio.create_task(client.post(f"{API}/runs/update", json=update))
            await asyncio.sleep(0.3)  # the update now holds the only pooled connection
            get = {"experiment_id": "0"}
            others = await asyncio.gather(
                *(client.get(f"{API}/experiments/get", params=get) for _ in range(6))
            )
            lock.release.set()
            return await blocked, list(others)

    with HeldRunLock(database_url, run_id) as lock:
        blocked, others = asyncio.run(scenario(lock))
    assert blocked.status_code == 200
    assert [r.status_code for r in others] == [503] * 6
    for response in others:
        assert response.headers["retry-after"].isdigit()
        assert response.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
    reasons = {r.json()["message"] for r in others}
    assert any("capacity" in m for m in reasons), reasons  # the in-flight bound
    assert any("connections are busy" in m for m in reasons), reasons  # the pool bound


def rejected_count(server: RunningServer, route: str) -> float:
    for line in httpx.get(f"{server.url}/metrics").text.splitlines():
        if line.startswith("grimoire_http_requests_total") and f'route="{route}"' in line:
            if 'status="503"' in line:
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_mlflow_client_retries_through_503(
    tiny_server: RunningServer, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "5")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
    client = MlflowClient(tracking_uri=tiny_server.url)
    locked_run = client.create_run("0").info.run_id
    other_run = client.create_run("0").info.run_id
    with HeldRunLock(database_url, locked_run) as lock:
        terminator = threading.Thread(target=client.set_terminated, args=(locked_run,))
        terminator.start()
        time.sleep(0.3)  # set_terminated now holds the only pooled connection
        threading.Timer(1.0, lock.release.set).start()
        client.log_param(other_run, "lr", "0.1")  # first attempt gets 503; a retry succeeds
        terminator.join(30)
    assert rejected_count(tiny_server, "/api/2.0/mlflow/runs/log-parameter") >= 1
    assert client.get_run(other_run).data.params == {"lr": "0.1"}
    assert client.get_run(locked_run).info.status == "FINISHED"


@pytest.mark.parametrize("mode", ["autocommit", "driver"])
def test_a_connection_dropped_under_a_raw_statement_is_discarded_not_pooled(
    database_url: str, mode: str
) -> None:
    """Hot statements go to the driver connection around the SQL layer (or are given it,
    Database.driver); when that connection dies mid-statement the retry must get a fresh
    one, never the dead one back."""
    from services.core.config import DatabaseSettings
    from services.core.db.engine import Database, create_engine, driver_connection

    async def scenario() -> None:
        settings = DatabaseSettings(pool_size=1, max_overflow=0)
        db = Database(create_engine(database_url, settings, "test-raw-drop"), settings)
        attempts = []

        async def dies_once(conn) -> int:
            raw = await driver_connection(conn)
            attempts.append(await raw.fetchval("SELECT pg_backend_pid()"))
            if len(attempts) == 1:
                await raw.fetchval("SELECT pg_terminate_backend(pg_backend_pid())")
            return await raw.fetchval("SELECT 42")

        run = getattr(db, mode)
        try:
            assert await run(dies_once) == 42
            assert len(attempts) == 2 and attempts[0] != attempts[1]  # a new backend
            assert await run(dies_once) == 42  # and the pool is healthy afterwards
        finally:
            await db.dispose()

    asyncio.run(scenario())


def test_one_pooled_connection_serves_every_mode_in_its_own_state(database_url: str) -> None:
    """The pool's connection goes from a transaction to autocommit to the bare driver and
    back: each mode finds it as it should be (no transaction leaks into the driver's
    one-statement writes, no autocommit into a transaction)."""
    from services.core.config import DatabaseSettings
    from services.core.db.engine import Database, create_engine, driver_connection

    async def in_transaction(conn) -> bool:
        return (await driver_connection(conn)).is_in_transaction()

    async def scenario() -> None:
        settings = DatabaseSettings(pool_size=1, max_overflow=0)
        db = Database(create_engine(database_url, settings, "test-modes"), settings)
        try:
            for _ in range(2):
                assert await db.transaction(in_transaction) is True
                assert await db.driver(in_transaction) is False
                assert await db.autocommit(in_transaction) is False
                assert await db.driver(in_transaction) is False
        finally:
            await db.dispose()

    asyncio.run(scenario())


def test_searches_are_planned_for_their_own_values(database_url: str) -> None:
    """Prepared statements drift to a generic plan after five executions; a search filter's
    selectivity depends on its values, so searches must be planned per call (and the setting
    must not leak to the pooled connection's other statements)."""
    from sqlalchemy import text

    from services.core.config import DatabaseSettings
    from services.core.db.engine import Database, create_engine

    async def mode(conn) -> str:
        return (await conn.execute(text("SHOW plan_cache_mode"))).scalar_one()

    async def scenario() -> None:
        settings = DatabaseSettings(pool_size=1, max_overflow=0)
        db = Database(create_engine(database_url, settings, "test-plans"), settings)
        try:
            assert await db.search(mode) == "force_custom_plan"
            assert await db.autocommit(mode) == "auto"  # same pooled connection, setting was local
            assert await db.transaction(mode) == "auto"
        finally:
            await db.dispose()

    asyncio.run(scenario())
