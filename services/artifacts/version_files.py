"""Which registered models' versions store their files under an artifact path.

Reading a version's files is authorized through its registered model, so this answers the
guard's question "whose version files are these?" for a path of the artifact store: the
models with a version stored exactly at one of the path's own prefixes.

Only prefixes as deep as a run's or logged model's artifacts count (`<exp>/<run>/...`,
`<exp>/models/<id>/...`): a version stored at the store root (`mlflow-artifacts:/`), at an
experiment (`mlflow-artifacts:/2`) or at an experiment's models folder never matches, even
one registered before sources were checked (services/registry/versions/sources.py). A path
with an empty, "." or ".." segment, even percent-encoded, matches nothing.
"""

import hashlib
from urllib.parse import unquote

from sqlalchemy import select

from services.core.artifact_uris import owner_in_store, proxied_uri
from services.core.db.arrays import one_of
from services.core.db.engine import Connection
from services.core.db.tables.registry import (
    STORAGE_LOCATION_KEY,
    STORED_LOCATION,
    model_versions,
)


def _segments(path: str) -> list[str] | None:
    segments = path.strip("/").split("/")
    for candidate in (segments, unquote(path).strip("/").split("/")):
        if any(part in ("", ".", "..") for part in candidate):
            return None
    return segments


def version_locations(path: str) -> list[str]:
    """The locations a version holding this path's files could have, shallowest first."""
    segments = _segments(path)
    if segments is None:
        return []
    owner = owner_in_store(segments)
    if owner is None:
        return []
    depth = owner.root_depth
    return [proxied_uri("/".join(segments[:end])) for end in range(depth, len(segments) + 1)]


async def registered_models_of_version_files(conn: Connection, path: str) -> list[int]:
    locations = version_locations(path)
    if not locations:
        return []
    # The md5 finds the rows through the index; the text comparison is the answer.
    digests = [hashlib.md5(loc.encode(), usedforsecurity=False).hexdigest() for loc in locations]
    statement = (
        select(model_versions.c.model_id)
        .distinct()
        .where(one_of(STORAGE_LOCATION_KEY, digests), one_of(STORED_LOCATION, locations))
    )
    return list((await conn.execute(statement)).scalars().all())
