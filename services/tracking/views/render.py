"""Saved views of an experiment's runs table (Grimoire's own messages, shaped like MLflow's)."""

from typing import Any, TypedDict


class ExperimentView(TypedDict):
    name: str
    state: str
    created_by: str
    updated_at: int


class ListExperimentViewsResponse(TypedDict):
    views: list[ExperimentView]


def render_views(rows: list[Any]) -> ListExperimentViewsResponse:
    return {
        "views": [
            {"name": name, "state": state, "created_by": created_by, "updated_at": updated_at}
            for name, state, created_by, updated_at in rows
        ]
    }
