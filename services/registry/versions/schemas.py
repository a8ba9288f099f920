"""Model version requests, named after MLflow's messages."""

from services.core.http import KeyValue, MlflowMessage


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
