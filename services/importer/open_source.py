"""SOURCE on the command line -> the reader for it."""

from pathlib import Path

from services.importer.artifacts import LocalArtifacts
from services.importer.model import Reader

_SQL_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mssql")


def open_reader(source: str, source_artifacts: Path | None = None) -> Reader:
    scheme = source.split("://", 1)[0].split("+", 1)[0].lower() if "://" in source else ""
    if scheme in ("http", "https"):
        from services.importer.mlflow_server import MlflowServer

        return MlflowServer(source)
    if scheme in _SQL_SCHEMES:
        from services.importer.sql_database import SqlDatabase

        return SqlDatabase(source, LocalArtifacts(source_artifacts))
    if scheme not in ("", "file"):
        raise ValueError(
            f"{source}: not a folder, an MLflow database URL ({', '.join(_SQL_SCHEMES)}) or "
            "an http(s) server URL"
        )
    folder = Path(source.removeprefix("file://"))
    if not folder.is_dir():
        raise ValueError(f"{source}: no such folder")
    from services.importer.mlruns_folder import MlrunsFolder

    return MlrunsFolder(folder)
