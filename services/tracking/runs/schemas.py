"""Run requests, named after MLflow's messages (responses: runs/render.py)."""

from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from services.core.enums import RunStatus, ViewType
from services.core.errors import InvalidParameterValue
from services.core.fields import (
    INT64_MAX,
    INT64_MIN,
    ExperimentId,
    Int32,
    Int64,
    LoggedModelId,
    RunId,
)
from services.core.http import KeyValue, MlflowMessage
from services.core.search_filter import MAX_ORDER_BY_KEYS

# A table shows a screenful of columns; the bound keeps the projected query small.
MAX_PROJECTED_KEYS = 200


def _absent_if_empty(value: object) -> object:
    """An empty id is an id not given (protobuf's default for an unset string)."""
    return None if value == "" else value


OptionalRunId = Annotated[RunId | None, BeforeValidator(_absent_if_empty)]
OptionalLoggedModelId = Annotated[LoggedModelId | None, BeforeValidator(_absent_if_empty)]
# A metric point's step and timestamp, up to 1,000 points a request: bounded by pydantic's own
# checks, with no Python call per value (fields.Int64's validator measurably slowed a batch:
# docs/benchmarks.md, "Why the code is shaped this way").
# Unlike Int64 it also reads true as 1; that stores a sane number, it cannot reach a 500.
PointInt64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]


class RunRef(MlflowMessage):
    """Accepts MLflow's `run_id` or the legacy `run_uuid` the client also sends."""

    run_id: OptionalRunId = None
    run_uuid: OptionalRunId = None

    @model_validator(mode="after")
    def _require_run_id(self) -> "RunRef":
        if self.run_id is None:
            self.run_id = self.run_uuid
        if self.run_id is None:
            raise InvalidParameterValue(
                "Missing value for required parameter 'run_id'. See the API docs for more "
                "information about request parameters."
            )
        return self

    @property
    def resolved_run_id(self) -> str:
        """The run a validated message names, as a `str` (the wire field is optional)."""
        assert self.run_id is not None, "set by _require_run_id"
        return self.run_id


class CreateRun(MlflowMessage):
    experiment_id: ExperimentId = "0"
    user_id: str = ""
    run_name: str | None = None
    start_time: Int64 | None = None
    tags: list[KeyValue] = []


class UpdateRun(RunRef):
    status: RunStatus | None = None
    end_time: Int64 | None = None
    run_name: str | None = None


class LogParam(RunRef):
    key: str
    value: str


class MetricIn(MlflowMessage):
    key: str
    value: float
    timestamp: PointInt64
    step: PointInt64 = 0
    model_id: OptionalLoggedModelId = None
    dataset_name: str | None = None
    dataset_digest: str | None = None


class LogMetric(RunRef, MetricIn):
    def logged_models_written(self) -> set[str]:
        return {self.model_id} if self.model_id else set()


class LogBatch(RunRef):
    metrics: list[MetricIn] = []
    params: list[KeyValue] = []
    tags: list[KeyValue] = []

    def logged_models_written(self) -> set[str]:
        """A metric naming a logged model is linked into it: the caller needs EDIT there
        too, not only on the run (the guard authorizes every object a request touches)."""
        return {metric.model_id for metric in self.metrics if metric.model_id}


class SetTag(RunRef):
    key: str
    value: str = ""


class DeleteTag(RunRef):
    key: str


class LogModel(RunRef):
    model_json: str


class RunColumns(MlflowMessage):
    """Which params, metrics and tags each run of a search page carries (a Grimoire extension:
    the web UI's runs table reads only the columns it shows)."""

    params: list[str] = Field(default=[], max_length=MAX_PROJECTED_KEYS)
    metrics: list[str] = Field(default=[], max_length=MAX_PROJECTED_KEYS)
    tags: list[str] = Field(default=[], max_length=MAX_PROJECTED_KEYS)


class SearchRuns(MlflowMessage):
    experiment_ids: list[ExperimentId] = []
    filter: str | None = None
    run_view_type: ViewType = "ACTIVE_ONLY"
    max_results: Int32 = 1000
    order_by: list[str] = Field(default=[], max_length=MAX_ORDER_BY_KEYS)
    page_token: str | None = None
    columns: RunColumns | None = Field(
        default=None,
        description="Grimoire extension: only these keys in each run's data (absent: all, as "
        "MLflow answers). Dataset inputs and logged-model links are always included.",
    )


class DatasetIn(MlflowMessage):
    name: str
    digest: str
    source_type: str
    source: str
    schema_: str | None = Field(default=None, alias="schema")
    profile: str | None = None


class DatasetInputIn(MlflowMessage):
    tags: list[KeyValue] = []
    dataset: DatasetIn


class ModelRef(MlflowMessage):
    model_id: LoggedModelId


class ModelOutputIn(MlflowMessage):
    model_id: LoggedModelId
    step: Int64 = 0


class LogInputs(RunRef):
    datasets: list[DatasetInputIn] = []
    models: list[ModelRef] = []

    def logged_models_written(self) -> set[str]:
        return {model.model_id for model in self.models}


class LogOutputs(RunRef):
    models: list[ModelOutputIn] = []

    def logged_models_written(self) -> set[str]:
        return {model.model_id for model in self.models}
