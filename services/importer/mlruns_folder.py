"""A local `mlruns/` folder (MLflow's file store): experiments, runs and the `models/`
registry, parsed by MLflow's own file stores (the YAML and line formats are theirs).

MLflow 3.17 refuses file stores unless MLFLOW_ALLOW_FILE_STORE is true; reading one to move
off it is exactly the case that switch is for, so the reader sets it for this process."""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import mlflow
from mlflow.tracking import MlflowClient

from services.importer.artifacts import LocalArtifacts
from services.importer.client_reader import ClientReader


class MlrunsFolder(ClientReader):
    def __init__(self, folder: Path):
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
        self.folder = folder.expanduser().resolve()
        uri = self.folder.as_uri()
        # MLflow's file registry reads a version's logged model through the global tracking
        # URI (a TODO in mlflow/store/model_registry/file_store.py); left at its default that
        # creates ./mlflow.db and finds nothing. This process reads this folder only.
        mlflow.set_tracking_uri(uri)
        super().__init__(
            MlflowClient(tracking_uri=uri, registry_uri=uri), str(self.folder), LocalArtifacts()
        )

    def artifact_root(self, artifact_uri: str) -> str:
        """A folder copied from another machine keeps the absolute paths of where it was
        made: a root that is not there but has an `mlruns/`-relative tail is read here."""
        parts = urlsplit(artifact_uri)
        path = Path(unquote(parts.path)) if parts.scheme in ("", "file") else None
        if path is None or path.exists():
            return artifact_uri
        segments = path.parts
        for depth in range(len(segments) - 1, 0, -1):
            candidate = self.folder.joinpath(*segments[depth:])
            if segments[depth - 1] == "mlruns" and candidate.exists():
                return candidate.as_uri()
        return artifact_uri

    def next_version(self, name: str) -> int:
        """The file store's own rule: past every `version-<n>` folder, a deleted version's
        (stage `Deleted_Internal`, hidden from searches) included."""
        folder = self.folder / "models" / name
        numbers = [
            int(child.name.removeprefix("version-"))
            for child in folder.glob("version-*")
            if child.is_dir() and child.name.removeprefix("version-").isdigit()
        ]
        return max(numbers, default=0) + 1
