"""A model version as MLflow's ModelVersion message, and the responses that carry versions."""

from typing import Any, NotRequired, TypedDict

from services.core.paging import Page


class ModelVersionTag(TypedDict):
    key: str
    value: str


class ModelVersion(TypedDict):
    name: str
    version: str
    creation_timestamp: int
    last_updated_timestamp: int
    current_stage: str
    source: str
    status: str
    tags: list[ModelVersionTag]
    aliases: list[str]
    user_id: NotRequired[str]
    description: NotRequired[str]
    run_id: NotRequired[str]
    run_link: NotRequired[str]
    status_message: NotRequired[str]
    model_id: NotRequired[str]


class CreateModelVersionResponse(TypedDict):
    model_version: ModelVersion


class GetModelVersionResponse(TypedDict):
    model_version: ModelVersion


class UpdateModelVersionResponse(TypedDict):
    model_version: ModelVersion


class TransitionModelVersionStageResponse(TypedDict):
    model_version: ModelVersion


class GetModelVersionByAliasResponse(TypedDict):
    model_version: ModelVersion


class GetLatestVersionsResponse(TypedDict):
    model_versions: list[ModelVersion]


class SearchModelVersionsResponse(TypedDict):
    model_versions: list[ModelVersion]
    next_page_token: NotRequired[str]


class GetModelVersionDownloadUriResponse(TypedDict):
    artifact_uri: str


def render_version(row: Any, tags: list[Any], aliases: list[str]) -> ModelVersion:
    version: ModelVersion = {
        "name": row.name,
        "version": str(row.version),
        "creation_timestamp": row.creation_timestamp,
        "last_updated_timestamp": row.last_updated_timestamp,
        "current_stage": row.current_stage,
        "source": row.source,
        "status": row.status,
        "tags": [{"key": t.key, "value": t.value} for t in tags],
        "aliases": aliases,
    }
    if row.user_id:
        version["user_id"] = row.user_id
    if row.description:
        version["description"] = row.description
    if row.run_id:
        version["run_id"] = row.run_id
    if row.run_link:
        version["run_link"] = row.run_link
    if row.status_message:
        version["status_message"] = row.status_message
    if row.logged_model_id:
        version["model_id"] = row.logged_model_id
    return version


def search_model_versions_response(page: Page[ModelVersion]) -> SearchModelVersionsResponse:
    response: SearchModelVersionsResponse = {"model_versions": page.items}
    if page.next_page_token:
        response["next_page_token"] = page.next_page_token
    return response
