"""Run requests (named after MLflow's messages) and the run's JSON rendering."""

from typing import Any

from pydantic import Field, model_validator

from services.core.db.tables.tracking import runs
from services.core.enums import RunStatus, ViewType
from services.core.errors import InvalidParameterValue
from services.core.http import MlflowMessage, json_double


class RunRef(MlflowMessage):
    """Accepts MLflow's `run_id` or the legacy `run_uuid` the client also sends."""

    run_id: str = ""
    run_uuid: str = ""

    @model_validator(mode="after")
    def _require_run_id(self) -> "RunRef":
        if not self.run_id:
            self.run_id = self.run_uuid
        if not self.run_id:
            raise InvalidParameterValue(
                "Missing value for required parameter 'run_id'. See the API docs for more "
                "information about request parameters."
            )
        return self


class KeyValue(MlflowMessage):
    key: str
    value: str = ""


class CreateRun(MlflowMessage):
    experiment_id: str = "0"
    user_id: str = ""
    run_name: str | None = None
    start_time: int | None = None
    tags: list[KeyValue] = []


class UpdateRun(RunRef):
    status: RunStatus | None = None
    end_time: int | None = None
    run_name: str | None = None


class LogParam(RunRef):
    key: str
    value: str


class MetricIn(MlflowMessage):
    key: str
    value: float
    timestamp: int
    step: int = 0
    model_id: str | None = None
    dataset_name: str | None = None
    dataset_digest: str | None = None


class LogMetric(RunRef, MetricIn):
    pass


class LogBatch(RunRef):
    metrics: list[MetricIn] = []
    params: list[KeyValue] = []
    tags: list[KeyValue] = []


class SetTag(RunRef):
    key: str
    value: str = ""


class DeleteTag(RunRef):
    key: str


class LogModel(RunRef):
    model_json: str


class SearchRuns(MlflowMessage):
    experiment_ids: list[str] = []
    filter: str | None = None
    run_view_type: ViewType = "ACTIVE_ONLY"
    max_results: int = 1000
    order_by: list[str] = []
    page_token: str | None = None


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
    model_id: str


class ModelOutputIn(MlflowMessage):
    model_id: str
    step: int = 0


class LogInputs(RunRef):
    datasets: list[DatasetInputIn] = []
    models: list[ModelRef] = []


class LogOutputs(RunRef):
    models: list[ModelOutputIn] = []


def render_metric(key: str, value: float, timestamp: int, step: int) -> dict[str, Any]:
    return {"key": key, "value": json_double(value), "timestamp": timestamp, "step": step}


# Positions of the runs table's columns in a `select(runs)` row. Reading a Row by attribute
# resolves the name on every access (0.38 ms for a page of 100 runs, a tenth of a search's
# server time); by position it is a tuple lookup (0.03 ms).
_AT = {column.name: index for index, column in enumerate(runs.columns)}
_RUN_UUID, _NAME, _EXPERIMENT_ID = _AT["run_uuid"], _AT["name"], _AT["experiment_id"]
_USER_ID, _STATUS, _START_TIME, _END_TIME = (
    _AT["user_id"],
    _AT["status"],
    _AT["start_time"],
    _AT["end_time"],
)
_ARTIFACT_URI, _LIFECYCLE_STAGE = _AT["artifact_uri"], _AT["lifecycle_stage"]


def render_run_info(row: Any) -> dict[str, Any]:
    """A full `select(runs)` row as MLflow's RunInfo."""
    run_uuid = row[_RUN_UUID]
    info: dict[str, Any] = {
        "run_id": run_uuid,
        "run_uuid": run_uuid,
        "run_name": row[_NAME],
        "experiment_id": str(row[_EXPERIMENT_ID]),
        "user_id": row[_USER_ID],
        "status": row[_STATUS],
        "start_time": row[_START_TIME],
        "artifact_uri": row[_ARTIFACT_URI],
        "lifecycle_stage": row[_LIFECYCLE_STAGE],
    }
    end_time = row[_END_TIME]
    if end_time is not None:
        info["end_time"] = end_time
    return info
