"""Registry requests (named after MLflow's messages) and rendering."""

from typing import Any

from services.core.http import MlflowMessage


class KeyValue(MlflowMessage):
    key: str
    value: str = ""


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


class CreateModelVersion(MlflowMessage):
    name: str
    source: str
    run_id: str | None = None
    tags: list[KeyValue] = []
    run_link: str | None = None
    description: str | None = None
    model_id: str | None = None


class VersionRef(MlflowMessage):
    name: str
    version: str


class UpdateModelVersion(VersionRef):
    description: str | None = None


class TransitionStage(VersionRef):
    stage: str
    archive_existing_versions: bool = False


class SearchModelVersions(MlflowMessage):
    filter: str | None = None
    max_results: int = 10_000
    order_by: list[str] = []
    page_token: str | None = None


class SetModelVersionTag(VersionRef):
    key: str
    value: str = ""


class DeleteModelVersionTag(VersionRef):
    key: str


def render_version(row: Any, tags: list[Any], aliases: list[str]) -> dict[str, Any]:
    version: dict[str, Any] = {
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
    for optional in ("user_id", "description", "run_id", "run_link", "status_message"):
        if getattr(row, optional):
            version[optional] = getattr(row, optional)
    if row.logged_model_id:
        version["model_id"] = row.logged_model_id
    return version


def render_model(
    row: Any, tags: list[Any], aliases: list[Any], latest: list[dict[str, Any]]
) -> dict[str, Any]:
    model: dict[str, Any] = {
        "name": row.name,
        "creation_timestamp": row.creation_timestamp,
        "last_updated_timestamp": row.last_updated_timestamp,
        "tags": [{"key": t.key, "value": t.value} for t in tags],
        "aliases": [{"alias": a.alias, "version": str(a.version)} for a in aliases],
        "latest_versions": latest,
    }
    for optional in ("description", "user_id"):
        if getattr(row, optional):
            model[optional] = getattr(row, optional)
    return model
