"""Listing the artifacts under a run's or logged model's artifact URI, from the shared store.

Only `mlflow-artifacts:` locations are in the store, in any spelling that
services/core/artifact_uris.py parses (a host is the client's business, as in MLflow; a query
or fragment is refused). Any other location (`s3://elsewhere`, `file:///...`, `http://...`) is
not served: MLflow's server would list it with its own credentials, which would let anyone
who may create an experiment make the server read any location it can reach. The mlflow
client reads such locations itself; the endpoint answers 400 INVALID_PARAMETER_VALUE naming
the location.
"""

from typing import Any

from services.core.artifact_uris import store_path_of
from services.core.storage.base import ArtifactStore
from services.core.storage.paths import clean_artifact_path


def store_path(artifact_uri: str, relative: str | None) -> str:
    """The root + `sub/dir` -> `1/models/m-../artifacts/sub/dir`, within every path limit."""
    root = store_path_of(artifact_uri)
    relative = clean_artifact_path(relative, allow_root=True)
    return clean_artifact_path(f"{root}/{relative}") if relative else root


async def list_under(
    store: ArtifactStore, artifact_uri: str, directory: str | None
) -> dict[str, Any]:
    """MLflow's ListArtifacts response: one level below `directory`, paths relative to the
    URI. Called with no database connection held, since the store may be remote."""
    root = store_path_of(artifact_uri)
    entries = await store.list(store_path(artifact_uri, directory))
    response: dict[str, Any] = {"root_uri": artifact_uri}
    files = [{**e.render(), "path": e.path[len(root) + 1 :]} for e in entries]
    if files:
        response["files"] = files
    return response
