"""The web UI's table summaries (Grimoire's own messages, shaped like MLflow's)."""

from typing import Any, TypedDict

from services.core.http import json_double


class MetricSummary(TypedDict):
    run_id: str
    key: str
    min: float | str | None  # protobuf JSON spells NaN and the infinities as strings
    max: float | str | None
    latest: float | str
    latest_step: int


class GetMetricSummariesResponse(TypedDict):
    summaries: list[MetricSummary]


class GetRunKeysResponse(TypedDict):
    params: list[str]
    metrics: list[str]
    tags: list[str]


class GetRunCountsResponse(TypedDict):
    counts: dict[str, int]  # experiment id -> active runs
    deleted_counts: dict[str, int]


def _double(value: float | None) -> float | str | None:
    return None if value is None else json_double(value)


def render_summaries(rows: list[Any]) -> GetMetricSummariesResponse:
    """Rows of (run_id, key, min, max, latest, latest_step)."""
    return {
        "summaries": [
            {
                "run_id": run_id,
                "key": key,
                "min": _double(low),
                "max": _double(high),
                "latest": json_double(latest),
                "latest_step": latest_step,
            }
            for run_id, key, low, high, latest, latest_step in rows
        ]
    }
