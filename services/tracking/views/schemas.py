"""Saved-view requests. A view's state is the web UI's URL view state, kept as given."""

from pydantic import Field, field_validator

from services.core.fields import ExperimentId
from services.core.http import MlflowMessage

MAX_VIEW_NAME_LENGTH = 256
MAX_VIEW_STATE_BYTES = 8 * 1024


class ListExperimentViews(MlflowMessage):
    experiment_id: ExperimentId = Field(description="The experiment whose views to list.")


class ExperimentViewRef(MlflowMessage):
    experiment_id: ExperimentId = Field(description="The experiment the view belongs to.")
    name: str = Field(
        min_length=1, max_length=MAX_VIEW_NAME_LENGTH, description="The view's name (1-256)."
    )


class SaveExperimentView(ExperimentViewRef):
    state: str = Field(description="The UI's view state (a URL query string), up to 8 KiB.")

    @field_validator("state")
    @classmethod
    def _bounded(cls, state: str) -> str:
        size = len(state.encode())
        if size > MAX_VIEW_STATE_BYTES:
            raise ValueError(f"state is {size} bytes; at most {MAX_VIEW_STATE_BYTES}")
        return state
