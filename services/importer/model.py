"""What a source yields: plain dataclasses, the same whichever MLflow store they come from,
and the one protocol every source implements."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Point:
    key: str
    value: float
    timestamp: int
    step: int


@dataclass(frozen=True)
class DatasetInput:
    name: str
    digest: str
    source_type: str
    source: str
    schema: str | None
    profile: str | None
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Experiment:
    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: str
    creation_time: int
    last_update_time: int
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    run_id: str
    experiment_id: str
    name: str
    user_id: str
    status: str
    start_time: int
    end_time: int | None
    lifecycle_stage: str
    artifact_uri: str
    deleted_time: int | None = None
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: list[Point] = field(default_factory=list)
    datasets: list[DatasetInput] = field(default_factory=list)
    model_inputs: list[str] = field(default_factory=list)
    model_outputs: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class ModelMetric:
    key: str
    value: float
    timestamp: int
    step: int
    run_id: str | None
    dataset_name: str | None
    dataset_digest: str | None


@dataclass
class LoggedModel:
    model_id: str
    experiment_id: str
    name: str
    artifact_location: str
    creation_timestamp_ms: int
    last_updated_timestamp_ms: int
    status: int
    lifecycle_stage: str
    model_type: str | None
    source_run_id: str | None
    status_message: str | None
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: list[ModelMetric] = field(default_factory=list)


@dataclass(frozen=True)
class ModelVersion:
    version: int
    creation_timestamp: int
    last_updated_timestamp: int
    user_id: str | None
    current_stage: str
    description: str | None
    source: str
    storage_location: str | None
    run_id: str | None
    run_link: str | None
    status: str
    status_message: str | None
    tags: dict[str, str] = field(default_factory=dict)


# A version to write: the source's, with its source and storage location rewritten to where
# the import put the artifacts (services/importer/sources.py).
PlacedVersion = tuple[ModelVersion, str, str]


@dataclass
class RegisteredModel:
    name: str
    description: str | None
    creation_timestamp: int
    last_updated_timestamp: int
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)
    versions: list[ModelVersion] = field(default_factory=list)
    # The number MLflow would give the next version: past every version ever registered,
    # deleted ones included (MLflow never reuses a number). 0 when the source cannot tell
    # (a server hides deleted versions): then the next after the highest listed.
    next_version: int = 0


@dataclass(frozen=True)
class ArtifactFile:
    """One file under a run's or logged model's artifact root; `path` is relative to it."""

    path: str
    size: int


class ArtifactSource(Protocol):
    def list_files(self, root_uri: str) -> list[ArtifactFile]:
        """Every file below the root, recursively ([] when the root does not exist)."""

    def read(self, root_uri: str, path: str) -> Iterator[bytes]:
        """The file's bytes in chunks."""


class Reader(Protocol):
    """One MLflow store, read. `describe()` names it for the ledger (the same source gives the
    same name on every import, so a second import recognises what it already brought in)."""

    @property
    def artifacts(self) -> ArtifactSource:
        """Where the source's artifact URIs are read."""

    def describe(self) -> str: ...

    def experiments(self) -> list[Experiment]: ...

    def run_ids(self, experiment_id: str) -> list[str]:
        """Every run of the experiment, deleted ones included, in any order (a child's link
        to its parent is its `mlflow.parentRunId` tag, so no order is needed)."""

    def run(self, run_id: str) -> Run:
        """The run with its params, tags, every metric point, datasets and model links."""

    def logged_models(self, experiment_id: str) -> list[LoggedModel]: ...

    def registered_models(self) -> list[RegisteredModel]:
        """Every registered model with its live versions: MLflow keeps a deleted version as a
        row or folder in stage `Deleted_Internal`, which is not imported (only its number
        counts, in `next_version`)."""

    def close(self) -> None: ...
