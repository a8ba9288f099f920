"""`grimoire import`: an existing MLflow history into Grimoire (docs/import.md)."""

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from services.cli.console import console
from services.cli.settings_options import setting_option
from services.core.config import ArtifactSettings, DatabaseSettings, GrimoireSettings

if TYPE_CHECKING:
    from services.importer.pipeline import Options


def _experiments(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


async def _import(
    source: str,
    source_artifacts: Path | None,
    database_url: str,
    store_root: str | None,
    data_dir: Path,
    options: "Options",
) -> bool:
    from services.core.db.engine import create_engine
    from services.core.db.migrate import upgrade
    from services.core.storage.factory import open_store
    from services.importer.open_source import open_reader
    from services.importer.pipeline import Import
    from services.importer.report import Bars

    await upgrade(database_url)
    database = DatabaseSettings(pool_size=options.jobs + 1, max_overflow=0)
    engine = create_engine(database_url, database, "grimoire-import")
    artifacts = ArtifactSettings(root=store_root) if store_root else ArtifactSettings()
    store = open_store(artifacts, GrimoireSettings(data_dir=data_dir))
    reader = await asyncio.to_thread(open_reader, source, source_artifacts)
    try:
        bars = Bars(console)
        job = Import(reader, engine, store, options, bars)
        await job.start()
        with bars:
            report = await job.run()
        report.render(console)
        return report.clean
    finally:
        reader.close()
        await store.close()
        await engine.dispose()


@click.command("import")
@click.argument("source")
@setting_option(GrimoireSettings, "data_dir")
@setting_option(DatabaseSettings, "url", "--database-url")
@setting_option(ArtifactSettings, "root", "--artifacts-root")
@click.option(
    "--experiments",
    multiple=True,
    metavar="NAME_OR_ID",
    help="Only these experiments (repeat the flag or separate with commas); default: all.",
)
@click.option(
    "--source-artifacts",
    type=click.Path(path_type=Path, file_okay=False),
    help="For a database source whose runs' artifacts are in an MLflow server's proxied "
    "store (mlflow-artifacts:/): that server's --artifacts-destination folder.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be imported; write nothing.")
@click.option("--resume", is_flag=True, help="Continue an interrupted import of this source.")
@click.option(
    "--verify",
    "verify_all",
    is_flag=True,
    help="Hash the artifacts of objects already imported again, on both sides (without it "
    "they are checked by size against the sha256 the import recorded).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Runs imported, and artifact files copied, in parallel.",
)
def import_history(
    source: str,
    data_dir: Path,
    database_url: str | None,
    artifacts_root: str | None,
    experiments: tuple[str, ...],
    source_artifacts: Path | None,
    dry_run: bool,
    resume: bool,
    verify_all: bool,
    jobs: int,
) -> None:
    """Import an MLflow history from SOURCE: a mlruns/ folder, an MLflow database URL
    (sqlite:///mlflow.db, postgresql://...) or a running MLflow server (http(s)://...),
    keeping run ids, timestamps and model version numbers."""
    from services.core.embedded import start_embedded_postgres
    from services.importer.pipeline import InterruptedImport, Options

    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        with console.status("Starting the embedded PostgreSQL..."):
            database_url = start_embedded_postgres(data_dir)
    options = Options(_experiments(experiments), dry_run, resume, jobs, verify_all)
    try:
        clean = asyncio.run(
            _import(source, source_artifacts, database_url, artifacts_root, data_dir, options)
        )
    except (InterruptedImport, ValueError) as error:
        raise click.ClickException(str(error)) from None
    sys.exit(0 if clean else 1)
