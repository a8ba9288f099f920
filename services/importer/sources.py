"""Model-version sources rewritten to where the import put the artifacts they name.

`runs:/<run>/<path>` and `models:/m-<id>` keep their spelling (they name ids the import keeps)
and point their storage location at the new artifact roots; a path or URI inside a source
run's or logged model's artifact root becomes the same place under the new root; anything
else (a bucket Grimoire does not serve) is kept as it is, and reported as kept."""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from services.importer.model import ModelVersion


class UnresolvedSource(Exception):
    pass


@dataclass(frozen=True)
class Roots:
    """An artifact root in the source and the one it became in Grimoire."""

    source: str
    target: str


@dataclass(frozen=True)
class Rewritten:
    source: str
    storage_location: str
    foreign: bool


def _normal(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.scheme in ("", "file"):
        return unquote(parts.path).rstrip("/")
    return uri.rstrip("/")


def _inside(uri: str, roots: Roots) -> str | None:
    """The target spelling of `uri` when it lies under the source root."""
    path, root = _normal(uri), _normal(roots.source)
    if path == root:
        return roots.target
    if root and path.startswith(root + "/"):
        return roots.target + path[len(root) :]
    return None


def rewrite(
    version: ModelVersion, runs: Mapping[str, Roots], models: Mapping[str, Roots]
) -> Rewritten:
    source = version.source
    if source.startswith("models:/m-") and "/" not in source[len("models:/") :]:
        model_id = source[len("models:/") :]
        if model_id not in models:
            raise UnresolvedSource(f"logged model {model_id} was not imported")
        return Rewritten(source, models[model_id].target, False)
    if source.startswith("runs:/"):
        run_id, _, path = source[len("runs:/") :].partition("/")
        if run_id not in runs:
            raise UnresolvedSource(f"run {run_id} was not imported")
        target = runs[run_id].target
        return Rewritten(source, f"{target}/{path}".rstrip("/"), False)
    candidates = [runs[version.run_id]] if version.run_id and version.run_id in runs else []
    candidates += [*models.values(), *runs.values()]
    for roots in candidates:
        inside = _inside(source, roots)
        if inside is not None:
            return Rewritten(inside, inside, False)
    return Rewritten(source, version.storage_location or source, True)
