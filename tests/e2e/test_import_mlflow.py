"""`grimoire import` end to end: three MLflow sources built with the real mlflow client (a
`mlruns/` folder, the sqlite database of an `mlflow server`, and that server over HTTP), each
imported by the real command into its own Grimoire database, then read back through the
mlflow client from a running Grimoire and compared with the source read the same way."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from services.core.db.migrate import upgrade
from tests.fixtures.databases import create_database, drop_database
from tests.fixtures.mlflow_history import (
    BULK_EXPERIMENT,
    MODEL_NAME,
    RETIRED_MODEL,
    Built,
    _features,
    build_history,
    snapshot,
    start_mlflow_server,
    stop_mlflow_server,
)
from tests.fixtures.servers import (
    REPO,
    RunningServer,
    execute,
    sql,
    start_server,
    stop_server,
)

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

# Default is not compared: the import adopts Grimoire's own (same id, same name).
EXPERIMENTS = ["import-demo", BULK_EXPERIMENT]
TABLES = (
    "experiments",
    "runs",
    "params",
    "tags",
    "metrics",
    "latest_metrics",
    "datasets",
    "logged_models",
    "registered_models",
    "model_versions",
    "registered_model_aliases",
)


@dataclass
class Source:
    kind: str
    argument: list[str]  # SOURCE and the flags it needs
    tracking_uri: str
    built: Built


def start_grimoire(database_url: str, root: Path, log: Path) -> RunningServer:
    """The server on the imported database, waited for as long as a loaded shared machine
    needs (the fixture's own wait is 30 s)."""
    env = {"GRIMOIRE_DATABASE_URL": database_url, "GRIMOIRE_ARTIFACTS_ROOT": str(root)}
    server = start_server("services.server:app", env, log, wait=False)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.log()
        try:
            if httpx.get(f"{server.url}/ready", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"Grimoire not ready in 180 s:\n{server.log()}")


def grimoire_import(*arguments: str, **popen: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "import", *arguments],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
        **popen,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def mlflow_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Built]]:
    workdir = tmp_path_factory.mktemp("mlflow-server")
    server = start_mlflow_server(workdir)
    try:
        built = build_history(server.url, workdir)
        yield server.url, workdir, built
    finally:
        stop_mlflow_server(server)


_MLFLOW_ENV = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "MLFLOW_ALLOW_FILE_STORE")


@pytest.fixture(scope="module", autouse=True)
def mlflow_client_settings_restored() -> Iterator[None]:
    """Building the sources and reading the result point the mlflow client's process-wide
    tracking and registry URIs (and their environment variables) at servers this module
    stops; the modules after it keep the suite's server."""
    from mlflow.tracking._model_registry import utils as registry_uri
    from mlflow.tracking._tracking_service import utils as tracking_uri

    environment = {name: os.environ.get(name) for name in _MLFLOW_ENV}
    uris = (tracking_uri._tracking_uri, registry_uri._registry_uri)
    yield
    for name, value in environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    tracking_uri._tracking_uri, registry_uri._registry_uri = uris


@pytest.fixture(scope="module")
def mlruns_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Built]:
    workdir = tmp_path_factory.mktemp("laptop")
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    folder = workdir / "mlruns"
    return folder, build_history(folder.as_uri(), workdir)


@pytest.fixture(scope="module", params=["mlruns", "sqlite", "http"])
def source(request: pytest.FixtureRequest) -> Source:
    if request.param == "mlruns":
        folder, built = request.getfixturevalue("mlruns_source")
        return Source("mlruns", [str(folder)], folder.as_uri(), built)
    url, workdir, built = request.getfixturevalue("mlflow_source")
    if request.param == "sqlite":
        database = f"sqlite:///{workdir / 'mlflow.db'}"
        flags = [database, "--source-artifacts", str(workdir / "mlflow-artifacts")]
        return Source("sqlite", flags, url, built)
    return Source("http", [url], url, built)


@dataclass
class Imported:
    source: Source
    database_url: str
    root: Path
    first: subprocess.CompletedProcess
    server: RunningServer


def _target_flags(database_url: str, root: Path) -> list[str]:
    return ["--database-url", database_url, "--artifacts-root", str(root)]


@pytest.fixture(scope="module")
def imported(
    source: Source, postgres_admin_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Imported]:
    database_url = create_database(postgres_admin_url)
    root = tmp_path_factory.mktemp(f"grimoire-{source.kind}") / "store"
    first = grimoire_import(*source.argument, *_target_flags(database_url, root))
    assert first.returncode == 0, first.stderr
    server = start_grimoire(database_url, root, root.parent / "server.log")
    yield Imported(source, database_url, root, first, server)
    stop_server(server)
    drop_database(postgres_admin_url, database_url)


def test_the_import_reads_back_through_the_client_as_the_source(imported: Imported) -> None:
    source = snapshot(imported.source.tracking_uri, EXPERIMENTS)
    target = snapshot(imported.server.url, EXPERIMENTS)
    assert set(target["runs"]) == set(source["runs"]) >= set(imported.source.built.run_ids)
    for run_id, run in source["runs"].items():
        assert target["runs"][run_id] == run, run_id
    assert target["experiments"] == source["experiments"]
    assert target["models"] == source["models"]
    versions = target["models"][MODEL_NAME]["versions"]
    assert [(v[0], v[1]) for v in versions] == [(1, "Archived"), (2, "Production"), (3, "Staging")]
    assert target["models"][MODEL_NAME]["aliases"] == {"champion": "2"}
    assert "Verification, source against Grimoire" in imported.first.stderr
    assert "match" in imported.first.stderr


def test_imported_models_load_and_predict_from_grimoire(
    imported: Imported, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", imported.server.url)
    mlflow.set_tracking_uri(imported.server.url)
    mlflow.set_registry_uri(imported.server.url)
    x, y = _features()
    for uri in (
        f"runs:/{imported.source.built.autolog_run_id}/model",
        f"models:/{MODEL_NAME}@champion",
        f"models:/{MODEL_NAME}/Staging",
    ):
        predicted = mlflow.pyfunc.load_model(uri).predict(x)
        assert len(predicted) == len(y)
        assert (predicted == y).mean() > 0.8, uri


def _row_counts(database_url: str) -> dict[str, int]:
    return {t: sql(database_url, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def test_a_second_import_changes_nothing_and_says_so(imported: Imported) -> None:
    before = _row_counts(imported.database_url)
    again = grimoire_import(
        *imported.source.argument, *_target_flags(imported.database_url, imported.root)
    )
    assert again.returncode == 0, again.stderr
    assert "Nothing imported: everything in the source is already here." in again.stderr
    assert _row_counts(imported.database_url) == before


def test_deleted_versions_stay_deleted_and_their_numbers_are_not_reused(
    imported: Imported,
) -> None:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(imported.server.url, imported.server.url)
    listed = client.search_model_versions(f"name = '{RETIRED_MODEL}'")
    assert sorted(int(v.version) for v in listed) == [1, 3]
    run_id = listed[0].run_id
    created = client.create_model_version(RETIRED_MODEL, f"runs:/{run_id}/model", run_id)
    try:
        # MLflow numbers past every version ever registered, deleted ones included; a server
        # over HTTP hides deleted versions, so its deleted last number cannot be seen.
        assert int(created.version) == (4 if imported.source.kind == "http" else 5)
    finally:
        client.delete_model_version(RETIRED_MODEL, created.version)


def test_a_second_import_checks_artifacts_by_record_and_verify_reads_them_again(
    imported: Imported,
) -> None:
    """A stored file changed behind the import's back, keeping its size: the plain second
    import checks sizes against its sha256 record (reads no file), --verify hashes both
    sides again and finds it."""
    stored = next(imported.root.rglob("weights.bin"))
    original = stored.read_bytes()
    stored.write_bytes(bytes(255 - b for b in original[:16]) + original[16:])
    try:
        flags = [*imported.source.argument, *_target_flags(imported.database_url, imported.root)]
        plain = grimoire_import(*flags)
        assert plain.returncode == 0, plain.stderr
        assert "Nothing imported: everything in the source is already here." in plain.stderr
        verified = grimoire_import(*flags, "--verify")
        assert verified.returncode == 1, verified.stderr
        assert "sha256 of bundle/weights.bin" in verified.stderr
    finally:
        stored.write_bytes(original)


@pytest.fixture
def fresh_database(postgres_admin_url: str) -> Iterator[str]:
    url = create_database(postgres_admin_url)
    yield url
    drop_database(postgres_admin_url, url)


def test_a_dry_run_counts_and_writes_nothing(
    mlflow_source: tuple[str, Path, Built], fresh_database: str, tmp_path: Path
) -> None:
    url, _, built = mlflow_source
    dry = grimoire_import(url, "--dry-run", *_target_flags(fresh_database, tmp_path))
    assert dry.returncode == 0, dry.stderr
    assert "Dry run" in dry.stderr
    assert BULK_EXPERIMENT in dry.stderr and "60,000" in dry.stderr  # 60 runs x 2 x 500 points
    assert sql(fresh_database, "SELECT count(*) FROM runs")[0][0] == 0
    assert not any(tmp_path.rglob("*.bin"))


def _committed_runs(database_url: str) -> int:
    return sql(database_url, "SELECT count(*) FROM import_ledger WHERE kind = 'run'")[0][0]


def test_an_import_killed_halfway_then_resumed_gives_the_same_result(
    mlflow_source: tuple[str, Path, Built], fresh_database: str, tmp_path: Path
) -> None:
    url, workdir, built = mlflow_source
    database = f"sqlite:///{workdir / 'mlflow.db'}"
    flags = [database, "--source-artifacts", str(workdir / "mlflow-artifacts"), "--jobs", "1"]
    flags += _target_flags(fresh_database, tmp_path / "root")
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "import", *flags],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while process.poll() is None and _committed_runs_or_zero(fresh_database) < 10:
            time.sleep(0.01)  # a polling interval, not a timing assumption
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    committed = _committed_runs(fresh_database)
    total = len(snapshot(url, EXPERIMENTS)["runs"])
    assert 10 <= committed < total, "the import was not interrupted halfway"

    refused = grimoire_import(*flags)
    assert refused.returncode != 0
    assert "--resume" in refused.stderr
    resumed = grimoire_import(*flags, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert _committed_runs(fresh_database) == total

    server = start_grimoire(fresh_database, tmp_path / "root", tmp_path / "server.log")
    try:
        assert snapshot(server.url, EXPERIMENTS) == snapshot(url, EXPERIMENTS)
    finally:
        stop_server(server)

    # A run changed here since is a conflict, listed and not overwritten.
    run_id = built.parent_run_id
    execute(
        fresh_database,
        "UPDATE params SET value = 'sgd' WHERE run_uuid = $1 AND key = 'optimizer'",
        run_id,
    )
    conflict = grimoire_import(*flags)
    assert conflict.returncode == 1
    assert run_id in conflict.stderr and "different params" in conflict.stderr
    assert (
        sql(
            fresh_database,
            "SELECT value FROM params WHERE run_uuid = $1 AND key = 'optimizer'",
            run_id,
        )[0][0]
        == "sgd"
    )


def _committed_runs_or_zero(database_url: str) -> int:
    """Before the import has migrated the fresh database there is no ledger yet."""
    try:
        return _committed_runs(database_url)
    except Exception:
        return 0


def _grimoire_client(server: RunningServer) -> "MlflowClient":
    from mlflow.tracking import MlflowClient

    return MlflowClient(server.url, server.url)


def test_what_exists_here_with_other_content_is_a_conflict_and_kept(
    mlflow_source: tuple[str, Path, Built], fresh_database: str, tmp_path: Path
) -> None:
    """An experiment of the source's name under another id, a registered model of its name,
    and (after the import) an imported version and experiment tag changed here: each is
    listed as a conflict and keeps what it has here."""
    _, workdir, _ = mlflow_source
    flags = [f"sqlite:///{workdir / 'mlflow.db'}", "--source-artifacts"]
    flags += [str(workdir / "mlflow-artifacts"), *_target_flags(fresh_database, tmp_path)]
    asyncio.run(upgrade(fresh_database))  # the server starts before the import would migrate
    server = start_grimoire(fresh_database, tmp_path, tmp_path / "server.log")
    try:
        client = _grimoire_client(server)
        taken_id = client.create_experiment(BULK_EXPERIMENT)  # the source's is another id
        client.create_registered_model(MODEL_NAME, description="ours, not the source's")

        first = grimoire_import(*flags)
        assert first.returncode == 1, first.stderr
        assert f"an experiment named '{BULK_EXPERIMENT}'" in first.stderr
        assert "exists here with different description" in first.stderr
        bulk_runs = sql(
            fresh_database, "SELECT count(*) FROM runs WHERE experiment_id = $1", int(taken_id)
        )
        assert bulk_runs[0][0] == 0
        ours = client.get_registered_model(MODEL_NAME)
        assert ours.description == "ours, not the source's"
        assert client.search_model_versions(f"name = '{MODEL_NAME}'") == []
        retired = client.search_model_versions(f"name = '{RETIRED_MODEL}'")
        assert sorted(int(v.version) for v in retired) == [1, 3]

        demo = client.get_experiment_by_name("import-demo")
        client.set_experiment_tag(demo.experiment_id, "team", "audio")
        client.update_model_version(RETIRED_MODEL, "1", description="changed here")
        again = grimoire_import(*flags)
        assert again.returncode == 1, again.stderr
        assert "different tag team" in again.stderr
        assert f"{RETIRED_MODEL}/1" in again.stderr and "different description" in again.stderr
        assert client.get_experiment(demo.experiment_id).tags["team"] == "audio"
        assert client.get_model_version(RETIRED_MODEL, "1").description == "changed here"
    finally:
        stop_server(server)
