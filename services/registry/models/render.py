"""A registered model as MLflow's RegisteredModel message, and the responses that carry one."""

from typing import Any, NotRequired, TypedDict

from services.core.paging import Page
from services.registry.versions.render import ModelVersion


class RegisteredModelTag(TypedDict):
    key: str
    value: str


class RegisteredModelAlias(TypedDict):
    alias: str
    version: str


class RegisteredModel(TypedDict):
    name: str
    creation_timestamp: int
    last_updated_timestamp: int
    tags: list[RegisteredModelTag]
    aliases: list[RegisteredModelAlias]
    latest_versions: list[ModelVersion]
    description: NotRequired[str]
    user_id: NotRequired[str]


class CreateRegisteredModelResponse(TypedDict):
    registered_model: RegisteredModel


class GetRegisteredModelResponse(TypedDict):
    registered_model: RegisteredModel


class RenameRegisteredModelResponse(TypedDict):
    registered_model: RegisteredModel


class UpdateRegisteredModelResponse(TypedDict):
    registered_model: RegisteredModel


class SearchRegisteredModelsResponse(TypedDict):
    registered_models: list[RegisteredModel]
    next_page_token: NotRequired[str]


def render_model(
    row: Any, tags: list[Any], aliases: list[Any], latest: list[ModelVersion]
) -> RegisteredModel:
    model: RegisteredModel = {
        "name": row.name,
        "creation_timestamp": row.creation_timestamp,
        "last_updated_timestamp": row.last_updated_timestamp,
        "tags": [{"key": t.key, "value": t.value} for t in tags],
        "aliases": [{"alias": a.alias, "version": str(a.version)} for a in aliases],
        "latest_versions": latest,
    }
    if row.description:
        model["description"] = row.description
    if row.user_id:
        model["user_id"] = row.user_id
    return model


def search_registered_models_response(
    page: Page[RegisteredModel],
) -> SearchRegisteredModelsResponse:
    response: SearchRegisteredModelsResponse = {"registered_models": page.items}
    if page.next_page_token:
        response["next_page_token"] = page.next_page_token
    return response
