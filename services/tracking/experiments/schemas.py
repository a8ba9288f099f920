"""Experiment requests (named after the MLflow messages they mirror) and rendering."""

from typing import Any

from services.core.enums import ViewType
from services.core.http import MlflowMessage


class KeyValue(MlflowMessage):
    key: str
    value: str = ""


class CreateExperiment(MlflowMessage):
    name: str
    artifact_location: str | None = None
    tags: list[KeyValue] = []


class GetExperiment(MlflowMessage):
    experiment_id: str


class GetExperimentByName(MlflowMessage):
    experiment_name: str


class SearchExperiments(MlflowMessage):
    max_results: int = 1000
    page_token: str | None = None
    filter: str | None = None
    order_by: list[str] = []
    view_type: ViewType = "ACTIVE_ONLY"


class UpdateExperiment(MlflowMessage):
    experiment_id: str
    new_name: str


class ExperimentRef(MlflowMessage):
    experiment_id: str


class SetExperimentTag(MlflowMessage):
    experiment_id: str
    key: str
    value: str = ""


class DeleteExperimentTag(MlflowMessage):
    experiment_id: str
    key: str


def render_experiment(row: Any, tags: list[tuple[str, str]]) -> dict[str, Any]:
    experiment: dict[str, Any] = {
        "experiment_id": str(row.experiment_id),
        "name": row.name,
        "artifact_location": row.artifact_location,
        "lifecycle_stage": row.lifecycle_stage,
        "last_update_time": row.last_update_time,
        "creation_time": row.creation_time,
    }
    if tags:
        experiment["tags"] = [{"key": key, "value": value} for key, value in tags]
    return experiment
