"""Registered model requests, named after MLflow's messages."""

from services.core.http import KeyValue, MlflowMessage


class CreateRegisteredModel(MlflowMessage):
    name: str
    tags: list[KeyValue] = []
    description: str | None = None


class ModelName(MlflowMessage):
    name: str


class RenameRegisteredModel(MlflowMessage):
    name: str
    new_name: str


class UpdateRegisteredModel(MlflowMessage):
    name: str
    description: str | None = None


class SearchRegisteredModels(MlflowMessage):
    filter: str | None = None
    max_results: int = 100
    order_by: list[str] = []
    page_token: str | None = None


class GetLatestVersions(MlflowMessage):
    name: str
    stages: list[str] = []


class SetRegisteredModelTag(MlflowMessage):
    name: str
    key: str
    value: str = ""


class DeleteRegisteredModelTag(MlflowMessage):
    name: str
    key: str


class SetAlias(MlflowMessage):
    name: str
    alias: str
    version: str


class AliasRef(MlflowMessage):
    name: str
    alias: str
