"""Metric history pages as MLflow's GetMetricHistory and GetMetricHistoryBulkInterval answers."""

from collections.abc import Iterable
from typing import Any, NotRequired, TypedDict

from services.core.http import json_double
from services.tracking.runs.render import Metric


class MetricWithRunId(TypedDict):
    key: str
    value: float | str  # protobuf JSON spells NaN and the infinities as strings
    timestamp: int
    step: int
    run_id: str


class GetMetricHistoryResponse(TypedDict):
    metrics: list[Metric]
    next_page_token: NotRequired[str]


class GetMetricHistoryBulkIntervalResponse(TypedDict):
    metrics: list[MetricWithRunId]


def render_points(key: str, rows: Iterable[tuple[int, int, float]]) -> list[Metric]:
    """History pages hold up to hundreds of thousands of points: render them inline, without a
    call per point (`v - v == 0` is false exactly for NaN and infinities)."""
    return [
        {
            "key": key,
            "value": value if value - value == 0 else json_double(value),
            "timestamp": timestamp,
            "step": step,
        }
        for timestamp, step, value in rows
    ]


def render_bucketed_points(key: str, rows: list[Any]) -> list[MetricWithRunId]:
    """Rows of (run_id, timestamp, step, value), the run id last as MLflow lists it."""
    return [
        {
            "key": key,
            "value": json_double(value),
            "timestamp": timestamp,
            "step": step,
            "run_id": run_id,
        }
        for run_id, timestamp, step, value in rows
    ]
