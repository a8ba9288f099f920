from pathlib import Path

from services.core.config import ArtifactSettings, GrimoireSettings
from services.core.storage.base import ArtifactStore
from services.core.storage.local import LocalStore


def open_store(settings: ArtifactSettings, grimoire: GrimoireSettings) -> ArtifactStore:
    root = settings.root or str(grimoire.data_dir / "artifacts")
    if root.startswith("s3://"):
        # aioboto3 (with botocore and aiohttp) is a fifth of a service's import time and
        # ~15 MiB of each worker: loaded only where an S3 root is configured.
        from services.core.storage.s3 import S3Store

        return S3Store(settings)
    return LocalStore(Path(root).expanduser())
