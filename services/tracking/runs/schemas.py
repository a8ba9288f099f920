"""Run requests (named after MLflow's messages) and the run's JSON rendering."""

from typing import Any

from pydantic import Field, model_validator

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


def render_run_info(row: Any) -> dict[str, Any]:
    info: dict[str, Any] = {
        "run_id": row.run_uuid,
        "run_uuid": row.run_uuid,
        "run_name": row.name,
        "experiment_id": str(row.experiment_id),
        "user_id": row.user_id,
        "status": row.status,
        "start_time": row.start_time,
        "artifact_uri": row.artifact_uri,
        "lifecycle_stage": row.lifecycle_stage,
    }
    if row.end_time is not None:
        info["end_time"] = row.end_time
    return info
