from pathlib import Path

from services.core.config import ArtifactSettings, GrimoireSettings
from services.core.storage.base import ArtifactStore
from services.core.storage.local import LocalStore
from services.core.storage.s3 import S3Store


def open_store(settings: ArtifactSettings, grimoire: GrimoireSettings) -> ArtifactStore:
    root = settings.root or str(grimoire.data_dir / "artifacts")
    if root.startswith("s3://"):
        return S3Store(settings)
    return LocalStore(Path(root).expanduser())
