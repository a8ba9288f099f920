"""MLflow 3 logged model requests (responses: render.py)."""

from pydantic import Field

from services.core.enums import LoggedModelStatus
from services.core.fields import ExperimentId, Int32
from services.core.http import KeyValue, MlflowMessage
from services.core.search_filter import MAX_FILTER_COMPARISONS, MAX_ORDER_BY_KEYS
from services.tracking.runs.schemas import OptionalRunId

STATUS_NUMBERS = {
    "LOGGED_MODEL_STATUS_UNSPECIFIED": 0,
    "LOGGED_MODEL_PENDING": 1,
    "LOGGED_MODEL_READY": 2,
    "LOGGED_MODEL_UPLOAD_FAILED": 3,
}
STATUS_NAMES = {number: name for name, number in STATUS_NUMBERS.items()}


class GetLoggedModel(MlflowMessage):
    allow_deleted: bool = False


class CreateLoggedModel(MlflowMessage):
    experiment_id: ExperimentId
    name: str | None = None
    model_type: str | None = None
    source_run_id: OptionalRunId = None
    params: list[KeyValue] = []
    tags: list[KeyValue] = []


class FinalizeLoggedModel(MlflowMessage):
    status: LoggedModelStatus


class SetLoggedModelTags(MlflowMessage):
    tags: list[KeyValue] = []


class LogLoggedModelParams(MlflowMessage):
    params: list[KeyValue] = []


class DatasetFilter(MlflowMessage):
    dataset_name: str
    dataset_digest: str | None = None


class OrderBy(MlflowMessage):
    field_name: str
    ascending: bool = True
    dataset_name: str | None = None
    dataset_digest: str | None = None


class SearchLoggedModels(MlflowMessage):
    experiment_ids: list[ExperimentId]
    filter: str | None = None
    # Each dataset filter is one more comparison in every metric subquery.
    datasets: list[DatasetFilter] = Field(default=[], max_length=MAX_FILTER_COMPARISONS)
    max_results: Int32 = 100
    order_by: list[OrderBy] = Field(default=[], max_length=MAX_ORDER_BY_KEYS)
    page_token: str | None = None


class ListLoggedModelArtifacts(MlflowMessage):
    artifact_directory_path: str | None = None
