from services.core.db import use_cases
from services.core.db.engine import Connection
from services.core.errors import InvalidParameterValue, ResourceDoesNotExist
from services.core.fields import INT64_MAX, INT64_MIN
from services.core.paging import decode_cursor, encode_cursor
from services.tracking.metrics import buckets, repository
from services.tracking.metrics.render import (
    GetMetricHistoryBulkIntervalResponse,
    GetMetricHistoryResponse,
    render_bucketed_points,
    render_points,
)
from services.tracking.metrics.schemas import GetMetricHistory, GetMetricHistoryBulkInterval
from services.tracking.runs import service as runs

# MLflow's handler limits (MAX_RUNS_GET_METRIC_HISTORY_BULK, MAX_RESULTS_PER_RUN); its default
# page is the largest.
MAX_RUNS_PER_BULK_REQUEST = 100
MAX_BULK_RESULTS = 2500


@use_cases.transaction
async def history(conn: Connection, request: GetMetricHistory) -> GetMetricHistoryResponse:
    if request.max_results is not None and request.max_results <= 0:
        raise InvalidParameterValue(
            f"Invalid value {request.max_results} for parameter 'max_results' supplied. "
            "It must be a positive integer."
        )
    after = decode_cursor(request.page_token)
    size = request.max_results
    # One point more than the page holds says whether there is a next page.
    page = await repository.history(
        conn, request.resolved_run_id, request.metric_key, after, None if size is None else size + 1
    )
    if not page.run_exists:
        raise ResourceDoesNotExist(f"Run with id={request.resolved_run_id} not found")
    shown = len(page.timestamps) if size is None else min(size, len(page.timestamps))
    points = zip(page.timestamps[:shown], page.steps[:shown], page.values[:shown], strict=True)
    response: GetMetricHistoryResponse = {"metrics": render_points(request.metric_key, points)}
    if shown < len(page.timestamps):
        last = shown - 1
        response["next_page_token"] = encode_cursor(
            (page.timestamps[last], page.steps[last], page.values[last])
        )
    return response


@use_cases.transaction
async def history_bulk_interval(
    conn: Connection, request: GetMetricHistoryBulkInterval
) -> GetMetricHistoryBulkIntervalResponse:
    if not request.run_ids:
        raise InvalidParameterValue("GetMetricHistoryBulkInterval requires at least one run_id.")
    if len(request.run_ids) > MAX_RUNS_PER_BULK_REQUEST:
        raise InvalidParameterValue(
            f"GetMetricHistoryBulkInterval cannot take more than {MAX_RUNS_PER_BULK_REQUEST} "
            f"run_ids. Received {len(request.run_ids)} run_ids."
        )
    max_results = MAX_BULK_RESULTS if request.max_results is None else request.max_results
    if not 1 <= max_results <= MAX_BULK_RESULTS:
        raise InvalidParameterValue(
            f"max_results must be between 1 and {MAX_BULK_RESULTS}, got {max_results}."
        )
    if (request.start_step is None) != (request.end_step is None):
        raise InvalidParameterValue(
            "If either start step or end step are specified, both must be specified."
        )
    if (
        request.start_step is not None
        and request.end_step is not None
        and request.start_step > request.end_step
    ):
        raise InvalidParameterValue(
            "end_step must be greater than start_step. Found "
            f"start_step={request.start_step} and end_step={request.end_step}."
        )
    run_ids = sorted(set(request.run_ids))
    await runs.require_all(conn, run_ids)
    steps = (
        (request.start_step, request.end_step)
        if request.start_step is not None and request.end_step is not None
        else (INT64_MIN, INT64_MAX)
    )
    rows = await buckets.chart_history(conn, run_ids, request.metric_key, steps, max_results)
    return {"metrics": render_bucketed_points(request.metric_key, rows)}
