"""Experiment requests, named after the MLflow messages they mirror (responses: render.py)."""

from pydantic import Field, field_validator

from services.core.artifact_uris import is_proxied
from services.core.enums import ViewType
from services.core.fields import ExperimentId, Int32
from services.core.http import KeyValue, MlflowMessage
from services.core.search_filter import MAX_ORDER_BY_KEYS


class CreateExperiment(MlflowMessage):
    name: str
    artifact_location: str | None = None
    tags: list[KeyValue] = []

    @field_validator("artifact_location")
    @classmethod
    def _not_inside_the_proxied_store(cls, location: str | None) -> str | None:
        """The proxied store is laid out by experiment id, and the server picks an
        experiment's place in it: a location of one's choosing there could name another
        experiment's runs, which listings and version sources would then read as one's own.
        Locations elsewhere (s3://..., gs://...) are the client's to use, never served.
        The listing endpoints parse locations with the same function, so no spelling is
        foreign here and proxied there."""
        if not location:
            return location
        try:
            proxied = is_proxied(location)
        except ValueError as error:  # e.g. an unclosed IPv6 host: no location at all
            raise ValueError(f"artifact_location is not a URI: {error}") from None
        if proxied:
            raise ValueError(
                "experiments in the proxied store get their location from the server; "
                "leave artifact_location unset"
            )
        return location


class GetExperiment(MlflowMessage):
    experiment_id: ExperimentId


class GetExperimentByName(MlflowMessage):
    experiment_name: str


class SearchExperiments(MlflowMessage):
    max_results: Int32 = 1000
    page_token: str | None = None
    filter: str | None = None
    order_by: list[str] = Field(default=[], max_length=MAX_ORDER_BY_KEYS)
    view_type: ViewType = "ACTIVE_ONLY"


class UpdateExperiment(MlflowMessage):
    experiment_id: ExperimentId
    new_name: str


class ExperimentRef(MlflowMessage):
    experiment_id: ExperimentId


class SetExperimentTag(MlflowMessage):
    experiment_id: ExperimentId
    key: str
    value: str = ""


class DeleteExperimentTag(MlflowMessage):
    experiment_id: ExperimentId
    key: str
