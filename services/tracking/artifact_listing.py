"""Listing the artifacts under a run's or logged model's artifact URI, from the shared store."""

from typing import Any

from services.core.storage.base import ArtifactStore
from services.core.storage.paths import clean_artifact_path

MLFLOW_ARTIFACTS_SCHEME = "mlflow-artifacts:/"


def store_path(artifact_uri: str, relative: str | None) -> str:
    """`mlflow-artifacts:/1/models/m-../artifacts` + `sub/dir` -> `1/models/m-../artifacts/sub/dir`."""
    root = artifact_uri[len(MLFLOW_ARTIFACTS_SCHEME) :].strip("/")
    relative = clean_artifact_path(relative, allow_root=True)
    return f"{root}/{relative}" if relative else root


async def list_under(
    store: ArtifactStore, artifact_uri: str, directory: str | None
) -> dict[str, Any]:
    """MLflow's ListArtifacts response: one level below `directory`, paths relative to the
    URI. Called with no database connection held, since the store may be remote."""
    root = store_path(artifact_uri, None)
    entries = await store.list(store_path(artifact_uri, directory))
    response: dict[str, Any] = {"root_uri": artifact_uri}
    files = [{**e.render(), "path": e.path[len(root) + 1 :]} for e in entries]
    if files:
        response["files"] = files
    return response
