"""Summaries for the web UI's tables, for the runs or experiments the guard let through."""

from services.core.db import use_cases
from services.core.db.engine import Connection
from services.core.errors import InvalidParameterValue, ResourceDoesNotExist
from services.tracking.runs import service as runs
from services.tracking.summaries import repository
from services.tracking.summaries.render import (
    GetMetricSummariesResponse,
    GetRunCountsResponse,
    GetRunKeysResponse,
    render_summaries,
)
from services.tracking.summaries.repository import KEYED_RUNS
from services.tracking.summaries.schemas import GetMetricSummaries, GetRunCounts, GetRunKeys


@use_cases.autocommit
async def metric_summaries(
    conn: Connection, request: GetMetricSummaries
) -> GetMetricSummariesResponse:
    if not request.run_ids:
        raise InvalidParameterValue("metric-summaries requires at least one run_id.")
    run_ids = sorted(set(request.run_ids))
    await runs.require_all(conn, run_ids)
    rows = await repository.metric_summaries(conn, run_ids, sorted(set(request.metric_keys)))
    return render_summaries(rows)


@use_cases.autocommit
async def run_counts(conn: Connection, request: GetRunCounts) -> GetRunCountsResponse:
    if not request.experiment_ids:
        raise InvalidParameterValue("run-counts requires at least one experiment_id.")
    ids = sorted({int(experiment_id) for experiment_id in request.experiment_ids})
    found = await repository.existing_experiments(conn, ids)
    absent = [experiment_id for experiment_id in ids if experiment_id not in found]
    if absent:
        raise ResourceDoesNotExist(f"No Experiment with id={absent[0]} exists")
    counted = {row[0]: row for row in await repository.run_counts(conn, ids)}
    active = {str(i): counted[i][1] if i in counted else 0 for i in ids}
    deleted = {str(i): counted[i][2] if i in counted else 0 for i in ids}
    return {"counts": active, "deleted_counts": deleted}


@use_cases.autocommit
async def run_keys(conn: Connection, request: GetRunKeys) -> GetRunKeysResponse:
    experiment_id = int(request.experiment_id)
    if not await repository.existing_experiments(conn, [experiment_id]):
        raise ResourceDoesNotExist(f"No Experiment with id={experiment_id} exists")
    found: dict[str, list[str]] = {"params": [], "metrics": [], "tags": []}
    for kind, key in await repository.run_keys(conn, experiment_id, KEYED_RUNS):
        found[kind].append(key)
    return {"params": found["params"], "metrics": found["metrics"], "tags": found["tags"]}
