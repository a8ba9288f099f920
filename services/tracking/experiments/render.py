"""An experiment as MLflow's Experiment message, and the responses that carry experiments."""

from typing import Any, NotRequired, TypedDict

from services.core.paging import Page


class ExperimentTag(TypedDict):
    key: str
    value: str


class Experiment(TypedDict):
    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: str
    last_update_time: int
    creation_time: int
    tags: NotRequired[list[ExperimentTag]]


class CreateExperimentResponse(TypedDict):
    experiment_id: str


class GetExperimentResponse(TypedDict):
    experiment: Experiment


class GetExperimentByNameResponse(TypedDict):
    experiment: Experiment


class SearchExperimentsResponse(TypedDict):
    experiments: list[Experiment]
    next_page_token: NotRequired[str]


def render_experiment(row: Any, tags: list[tuple[str, str]]) -> Experiment:
    experiment: Experiment = {
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


def search_experiments_response(page: Page[Experiment]) -> SearchExperimentsResponse:
    response: SearchExperimentsResponse = {"experiments": page.items}
    if page.next_page_token:
        response["next_page_token"] = page.next_page_token
    return response
