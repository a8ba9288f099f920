"""The one place that knows how artifact URIs are laid out: built here, parsed here.

The proxied store (`mlflow-artifacts:`) is laid out by experiment id:

- an experiment's default location: `mlflow-artifacts:/<experiment_id>`
- a run's artifacts: `<experiment location>/<run_id>/artifacts`
- a logged model's artifacts: `<experiment location>/models/<model_id>/artifacts`

and `mlflow-artifacts:/<path>` is `<store root>/<path>`. `mlflow-artifacts:/<path>`,
`mlflow-artifacts:///<path>`, `mlflow-artifacts:<path>` and `mlflow-artifacts://<host>/<path>`
all parse; the scheme is case-insensitive (RFC 3986); whether a host, a query or a fragment
is acceptable is the caller's rule, so `ProxiedUri` keeps them. Every other scheme, and no
scheme at all, is a `ForeignUri`, never read as a store path. Model-version sources add
`runs:/<run_id>/<path>`, `models:/m-<id>` and `models:/<name>/<version>` references.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from services.core.errors import InvalidParameterValue
from services.core.storage.paths import clean_artifact_path

SCHEME = "mlflow-artifacts"
PREFIX = f"{SCHEME}:/"
ARTIFACTS = "artifacts"  # the folder that holds a run's or logged model's files
MODELS = "models"  # an experiment's folder of logged models
RUN_ROOT_DEPTH = 3  # <experiment>/<run id>/artifacts
LOGGED_MODEL_ROOT_DEPTH = 4  # <experiment>/models/<model id>/artifacts

_LOGGED_MODEL_ID = re.compile(r"m-[0-9a-f]{32}")
_VERSION_NUMBER = re.compile(r"[0-9]{1,10}")


def experiment_location(experiment_id: int | str) -> str:
    """Where the server puts an experiment that names no location of its own."""
    return f"{PREFIX}{experiment_id}"


def run_artifact_uri(experiment_location: str, run_id: str) -> str:
    """Under the experiment's location, whatever its scheme (s3://... stays s3://...)."""
    return under(experiment_location, (run_id, ARTIFACTS))


def logged_model_artifact_uri(experiment_location: str, model_id: str) -> str:
    return under(experiment_location, (MODELS, model_id, ARTIFACTS))


def under(root: str, segments: Sequence[str]) -> str:
    """`root` + `a/b`; a trailing "/" on the root is not doubled."""
    return "/".join([root.rstrip("/"), *segments])


def proxied_uri(store_path: str) -> str:
    """`1/abc/artifacts` -> `mlflow-artifacts:/1/abc/artifacts`, the spelling stored."""
    return PREFIX + store_path


@dataclass(frozen=True)
class ProxiedUri:
    """An `mlflow-artifacts:` URI: `path` is the store path as written (no leading "/")."""

    host: str
    path: str
    query: str
    fragment: str

    @property
    def segments(self) -> list[str]:
        """The path's non-empty segments (`1//a/` -> `1`, `a`)."""
        return _segments(self.path)


@dataclass(frozen=True)
class ForeignUri:
    """Any other location: `scheme` is lowercase, "" for a bare path."""

    scheme: str
    parts: SplitResult

    @property
    def is_local_path(self) -> bool:
        """A path, `file:` URI or Windows drive letter (`C:/...`): the server's own disk."""
        return self.scheme in ("", "file") or len(self.scheme) == 1


def _segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def parse_location(uri: str) -> ProxiedUri | ForeignUri:
    """Raises ValueError for what is no URI at all (e.g. an unclosed IPv6 host)."""
    parts = urlsplit(uri)  # lowercases the scheme, and drops tabs and newlines anywhere
    if parts.scheme != SCHEME:
        return ForeignUri(parts.scheme, parts)
    return ProxiedUri(parts.netloc, parts.path.lstrip("/"), parts.query, parts.fragment)


def is_proxied(uri: str) -> bool:
    """Whether the location is in the proxied store, under any spelling; raises ValueError
    for what is no URI at all."""
    return isinstance(parse_location(uri), ProxiedUri)


def store_path_of(artifact_uri: str) -> str:
    """`mlflow-artifacts:/1/models/m-../artifacts` -> `1/models/m-../artifacts`, a valid
    store path; INVALID_PARAMETER_VALUE for a location the server does not serve."""
    try:
        location = parse_location(artifact_uri)
    except ValueError:
        location = None
    if not isinstance(location, ProxiedUri) or location.query or location.fragment:
        raise InvalidParameterValue(
            f"The artifact location '{artifact_uri}' is not served by this server; only "
            f"{PREFIX} locations are. Read it from its store directly."
        )
    try:
        return clean_artifact_path(location.path)
    except InvalidParameterValue:
        raise InvalidParameterValue(
            f"The artifact location '{artifact_uri}' is not a valid store path."
        ) from None


@dataclass(frozen=True)
class StoreOwner:
    """Whose artifacts a store path lies in, as the path spells it: nothing is verified,
    the run or logged model may not exist or belong to another experiment."""

    experiment: str
    run_id: str | None
    logged_model_id: str | None

    @property
    def experiment_id(self) -> int | None:
        """ASCII digits only: `١` is a digit to str.isdigit, never an experiment here."""
        spelled = self.experiment
        return int(spelled) if spelled.isascii() and spelled.isdigit() else None

    @property
    def root_depth(self) -> int:
        """How many segments the owner's artifacts folder has."""
        return LOGGED_MODEL_ROOT_DEPTH if self.logged_model_id is not None else RUN_ROOT_DEPTH


def owner_in_store(segments: Sequence[str]) -> StoreOwner | None:
    """`<exp>/<run>/...` or `<exp>/models/<model>/...`; None for the root or an experiment."""
    if len(segments) < 2:
        return None
    if segments[1] == MODELS and len(segments) >= 3:
        return StoreOwner(segments[0], None, segments[2])
    return StoreOwner(segments[0], segments[1], None)


@dataclass(frozen=True)
class RunReference:
    """`runs:/<run_id>/<path>`: `path` lies under the run's artifact URI."""

    run_id: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class LoggedModelReference:
    """`models:/m-<id>`: the logged model's artifacts."""

    model_id: str


@dataclass(frozen=True)
class RegisteredVersionReference:
    """`models:/<name>/<version>`: that registered model version's files."""

    name: str
    version: str


class MalformedReference(ValueError):
    """A `runs:` or `models:` URI that is neither form; the message says which to use."""


Reference = RunReference | LoggedModelReference | RegisteredVersionReference


def parse_source(uri: str) -> Reference | ProxiedUri | ForeignUri:
    """A model-version source. Raises ValueError for what is no URI at all and
    MalformedReference for a `runs:` or `models:` URI that names nothing."""
    location = parse_location(uri)
    if not isinstance(location, ForeignUri) or location.scheme not in ("runs", "models"):
        return location
    parts = location.parts
    segments = _segments(parts.path)
    if location.scheme == "runs":
        if parts.netloc or not segments:
            raise MalformedReference("Use runs:/<run_id>/<path>.")
        return RunReference(segments[0], tuple(segments[1:]))
    if not parts.netloc and len(segments) == 1 and _LOGGED_MODEL_ID.fullmatch(segments[0]):
        return LoggedModelReference(segments[0])
    if parts.netloc or len(segments) != 2 or not _VERSION_NUMBER.fullmatch(segments[1]):
        raise MalformedReference("Use models:/m-<logged model id> or models:/<name>/<n>.")
    return RegisteredVersionReference(*segments)
