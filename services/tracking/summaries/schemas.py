"""Requests of the summaries the web UI's tables show: per-run metric extremes (best, not
last) and per-experiment run counts. The list bounds are the schema's, so the guard, which
checks the caller's role on every listed id, never walks an unbounded list."""

from pydantic import Field

from services.core.fields import ExperimentId, RunId
from services.core.http import MlflowMessage

MAX_SUMMARY_RUNS = 100
MAX_SUMMARY_KEYS = 100
MAX_COUNTED_EXPERIMENTS = 1000


class GetMetricSummaries(MlflowMessage):
    run_ids: list[RunId] = Field(
        default=[], max_length=MAX_SUMMARY_RUNS, description="Runs to summarize (1-100)."
    )
    metric_keys: list[str] = Field(
        default=[],
        max_length=MAX_SUMMARY_KEYS,
        description="Metric keys to summarize (up to 100); none: every key of the runs.",
    )


class GetRunCounts(MlflowMessage):
    experiment_ids: list[ExperimentId] = Field(
        default=[],
        max_length=MAX_COUNTED_EXPERIMENTS,
        description="Experiments whose runs to count (1-1000).",
    )


class GetRunKeys(MlflowMessage):
    experiment_id: ExperimentId = Field(description="The experiment whose runs' keys to list.")
