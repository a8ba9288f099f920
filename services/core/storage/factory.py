from pathlib import Path

from services.core.config import ArtifactSettings, GrimoireSettings
from services.core.storage.base import ArtifactStore
from services.core.storage.local import LocalStore


def open_store(settings: ArtifactSettings, grimoire: GrimoireSettings) -> ArtifactStore:
    root = settings.root or str(grimoire.data_dir / "artifacts")
    if root.startswith("s3://"):
        raise NotImplementedError("The S3 artifact store arrives with the artifact proxy issue.")
    return LocalStore(Path(root).expanduser())
