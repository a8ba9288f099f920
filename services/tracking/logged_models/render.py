"""A logged model as MLflow 3's LoggedModel message, and the responses that carry one."""

from typing import Any, NotRequired, TypedDict

from services.core.paging import Page
from services.tracking.logged_models.schemas import STATUS_NAMES
from services.tracking.runs.render import Metric, render_metric


class LoggedModelTag(TypedDict):
    key: str
    value: str


class LoggedModelParameter(TypedDict):
    key: str
    value: str


class LoggedModelInfo(TypedDict):
    model_id: str
    experiment_id: str
    name: str
    creation_timestamp_ms: int
    last_updated_timestamp_ms: int
    artifact_uri: str
    status: str
    tags: list[LoggedModelTag]
    model_type: NotRequired[str]
    source_run_id: NotRequired[str]
    status_message: NotRequired[str]


class LoggedModelData(TypedDict):
    params: list[LoggedModelParameter]
    metrics: list[Metric]


class LoggedModel(TypedDict):
    info: LoggedModelInfo
    data: LoggedModelData


class CreateLoggedModelResponse(TypedDict):
    model: LoggedModel


class GetLoggedModelResponse(TypedDict):
    model: LoggedModel


class FinalizeLoggedModelResponse(TypedDict):
    model: LoggedModel


class SetLoggedModelTagsResponse(TypedDict):
    model: LoggedModel


class SearchLoggedModelsResponse(TypedDict):
    models: list[LoggedModel]
    next_page_token: NotRequired[str]


def _render_metric(model_id: str, metric: Any) -> Metric:
    point = render_metric(metric.key, metric.value, metric.timestamp, metric.step)
    point["model_id"] = model_id
    if metric.run_id:
        point["run_id"] = metric.run_id
    if metric.dataset_name:
        point["dataset_name"] = metric.dataset_name
    if metric.dataset_digest:
        point["dataset_digest"] = metric.dataset_digest
    return point


def render_logged_model(
    row: Any, params: list[Any], tags: list[Any], metrics: list[Any]
) -> LoggedModel:
    info: LoggedModelInfo = {
        "model_id": row.model_id,
        "experiment_id": str(row.experiment_id),
        "name": row.name,
        "creation_timestamp_ms": row.creation_timestamp_ms,
        "last_updated_timestamp_ms": row.last_updated_timestamp_ms,
        "artifact_uri": row.artifact_location,
        "status": STATUS_NAMES[row.status],
        "tags": [{"key": t.key, "value": t.value} for t in tags],
    }
    if row.model_type:
        info["model_type"] = row.model_type
    if row.source_run_id:
        info["source_run_id"] = row.source_run_id
    if row.status_message:
        info["status_message"] = row.status_message
    return {
        "info": info,
        "data": {
            "params": [{"key": p.key, "value": p.value} for p in params],
            "metrics": [_render_metric(row.model_id, metric) for metric in metrics],
        },
    }


def search_logged_models_response(page: Page[LoggedModel]) -> SearchLoggedModelsResponse:
    response: SearchLoggedModelsResponse = {"models": page.items}
    if page.next_page_token:
        response["next_page_token"] = page.next_page_token
    return response
