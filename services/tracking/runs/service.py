"""Run use cases, each declaring its mode (services/core/db/use_cases.py). In a transaction a
raised error rolls the whole of it back, so a rejected batch stores nothing."""

from typing import Any

import asyncpg
import orjson

from services.core.artifact_uris import run_artifact_uri
from services.core.auth import access
from services.core.auth.access_cache import AccessCache
from services.core.auth.principal import Principal
from services.core.clock import now_ms
from services.core.db import use_cases
from services.core.db.engine import Connection
from services.core.enums import LIFECYCLE_STAGES, LifecycleStage
from services.core.errors import InvalidParameterValue, ResourceDoesNotExist
from services.core.paging import search_page
from services.tracking.experiments import service as experiments
from services.tracking.ingest_counters import METRIC_POINTS_LOGGED, PARAMS_LOGGED, RUNS_CREATED
from services.tracking.inputs import repository as inputs
from services.tracking.runs import page_repository, repository
from services.tracking.runs import search as run_search
from services.tracking.runs.names import random_run_name
from services.tracking.runs.render import (
    Run,
    RunInfo,
    SearchRunsResponse,
    render_run,
    render_run_info,
    search_runs_response,
)
from services.tracking.runs.schemas import (
    CreateRun,
    DeleteTag,
    LogBatch,
    LogInputs,
    LogMetric,
    LogModel,
    LogOutputs,
    LogParam,
    SearchRuns,
    SetTag,
    UpdateRun,
)
from services.tracking.validation import (
    MAX_DATASET_DIGEST_SIZE,
    MAX_DATASET_NAME_SIZE,
    MAX_DATASET_PROFILE_SIZE,
    MAX_DATASET_SCHEMA_SIZE,
    MAX_DATASET_SOURCE_SIZE,
    MAX_INPUT_TAG_KEY_SIZE,
    MAX_INPUT_TAG_VALUE_SIZE,
    MAX_RESULTS_RUNS,
    metric_is_valid,
    validate_batch_limits,
    validate_length,
    validate_max_results,
    validate_metric,
    validate_param,
    validate_tag,
    validate_unique_param_keys,
)

RUN_NAME_TAG = "mlflow.runName"
LOG_MODEL_HISTORY_TAG = "mlflow.log-model.history"


@use_cases.autocommit
async def require(conn: Connection, run_id: str, *, lock: bool = False) -> Any:
    row = await repository.get(conn, run_id, lock=lock)
    if row is None:
        raise ResourceDoesNotExist(f"Run with id={run_id} not found")
    return row


async def require_all(conn: Connection, run_ids: list[str]) -> None:
    """Every run exists (one query for a whole list), else the first missing one's 404."""
    absent = await repository.missing(conn, run_ids)
    if absent:
        raise ResourceDoesNotExist(f"Run with id={absent[0]} not found")


async def require_active(conn: Connection, run_id: str) -> Any:
    row = await require.on(conn, run_id)
    if row.lifecycle_stage != "active":
        raise InvalidParameterValue(
            f"The run {run_id} must be in the 'active' state. "
            f"Current state is {row.lifecycle_stage}."
        )
    return row


async def render(
    conn: Connection, rows: list[Any], columns: page_repository.Columns | None = None
) -> list[Run]:
    infos = [render_run_info(row) for row in rows]
    pages = await page_repository.load(conn, [info["run_id"] for info in infos], columns)
    return [render_run(info, pages[info["run_id"]]) for info in infos]


@use_cases.transaction
async def create(conn: Connection, request: CreateRun, run_id: str) -> Run:
    for index, tag in enumerate(request.tags):
        validate_tag(tag.key, tag.value, f"tags[{index}]")
    experiment = await experiments.require_active(conn, request.experiment_id)
    tags = {tag.key: tag.value for tag in request.tags}
    name = request.run_name or tags.get(RUN_NAME_TAG) or random_run_name()
    if request.run_name and tags.get(RUN_NAME_TAG, name) != name:
        raise InvalidParameterValue(
            f"Both 'run_name' argument and 'mlflow.runName' tag are specified, but with "
            f"different values (run_name='{name}', mlflow.runName='{tags[RUN_NAME_TAG]}')."
        )
    tags[RUN_NAME_TAG] = name
    await repository.insert_run(
        conn,
        {
            "run_uuid": run_id,
            "experiment_id": experiment.experiment_id,
            "name": name,
            "user_id": request.user_id,
            "status": "RUNNING",
            "start_time": request.start_time if request.start_time is not None else now_ms(),
            "lifecycle_stage": "active",
            "artifact_uri": run_artifact_uri(experiment.artifact_location, run_id),
        },
    )
    await repository.upsert_tags(conn, run_id, list(tags.items()))
    RUNS_CREATED.inc()
    return (await render(conn, [await require.on(conn, run_id)]))[0]


@use_cases.autocommit
async def get(conn: Connection, run_id: str) -> Run:
    return (await render(conn, [await require.on(conn, run_id)]))[0]


@use_cases.transaction
async def update(conn: Connection, request: UpdateRun) -> RunInfo:
    row = await require.on(conn, request.resolved_run_id, lock=True)
    if row.lifecycle_stage != "active":
        raise InvalidParameterValue(
            f"The run {request.resolved_run_id} must be in the 'active' state. "
            f"Current state is {row.lifecycle_stage}."
        )
    values: dict[str, Any] = {}
    if request.status is not None:
        values["status"] = request.status
    if request.end_time is not None:
        values["end_time"] = request.end_time
    if request.run_name:
        values["name"] = request.run_name
        await repository.upsert_tags(
            conn, request.resolved_run_id, [(RUN_NAME_TAG, request.run_name)]
        )
    if values:
        await repository.update_fields(conn, request.resolved_run_id, **values)
    return render_run_info(await require.on(conn, request.resolved_run_id))


@use_cases.transaction
async def set_lifecycle(conn: Connection, run_id: str, stage: LifecycleStage) -> None:
    row = await require.on(conn, run_id, lock=True)
    if stage == "active":
        experiment = await experiments.require(conn, str(row.experiment_id))
        if experiment.lifecycle_stage != "active":
            raise InvalidParameterValue(
                f"Cannot restore run {run_id}: its experiment {row.experiment_id} is deleted."
            )
    await repository.update_fields(
        conn,
        run_id,
        lifecycle_stage=stage,
        deleted_time=now_ms() if stage == "deleted" else None,
    )


async def _write_params(conn: Connection, run_id: str, items: list[tuple[str, str]]) -> None:
    conflicts = await repository.insert_params(conn, run_id, items)
    if conflicts:
        key, stored, new = conflicts[0]
        raise InvalidParameterValue(
            f"Changing param values is not allowed. Param with key='{key}' was already logged "
            f"with value='{stored}' for run ID='{run_id}'. Attempted logging new value '{new}'."
        )
    PARAMS_LOGGED.inc(len(items))


async def _write_tags(conn: Connection, run_id: str, items: list[tuple[str, str]]) -> None:
    await repository.upsert_tags(conn, run_id, items)
    names = [value for key, value in items if key == RUN_NAME_TAG]
    if names:
        await repository.update_fields(conn, run_id, name=names[-1])


@use_cases.transaction
async def log_param(conn: Connection, request: LogParam) -> None:
    validate_param(request.key, request.value, "")
    await require_active(conn, request.resolved_run_id)
    await _write_params(conn, request.resolved_run_id, [(request.key, request.value)])


def validate_metric_request(request: LogMetric) -> None:
    validate_metric(request.key, request.timestamp, "")


@use_cases.transaction
async def log_metric(conn: Connection, request: LogMetric) -> None:
    await _write_metrics(conn, request.resolved_run_id, [request])


def is_plain_metrics(request: LogBatch | LogMetric) -> bool:
    """Metrics only, none attributed to a logged model: the one-statement fast path."""
    points = request.metrics if isinstance(request, LogBatch) else [request]
    only_metrics = not isinstance(request, LogBatch) or not (request.params or request.tags)
    return only_metrics and bool(points) and all(not p.model_id for p in points)


async def _write_metrics(conn: Connection, run_id: str, points: list[Any]) -> None:
    """Points naming a logged model are never plain (is_plain_metrics): they come here in a
    transaction, so a model that does not exist rolls back the run's points too."""
    await _write_run_points(conn, run_id, points)
    model_points = [p for p in points if p.model_id]
    if model_points and not await repository.write_model_metrics(conn, run_id, model_points):
        named = sorted({p.model_id for p in model_points})
        raise ResourceDoesNotExist(
            f"Logged model with ID '{named[0]}' not found."
            if len(named) == 1
            else f"A logged model among {named} was not found."
        )
    METRIC_POINTS_LOGGED.inc(len(points))


async def _write_run_points(
    conn: Connection | asyncpg.Connection, run_id: str, points: list[Any]
) -> None:
    stage = await repository.write_metrics(conn, run_id, points)
    if stage is None:
        raise ResourceDoesNotExist(f"Run with id={run_id} not found")
    if stage != "active":
        raise InvalidParameterValue(
            f"The run {run_id} must be in the 'active' state. Current state is {stage}."
        )


@use_cases.driver
async def log_plain_metrics(conn: asyncpg.Connection, request: LogBatch | LogMetric) -> None:
    """On the driver connection, outside any transaction: the single statement is the
    transaction (committed before the caller is answered)."""
    points = request.metrics if isinstance(request, LogBatch) else [request]
    await _write_run_points(conn, request.resolved_run_id, points)
    METRIC_POINTS_LOGGED.inc(len(points))


def validate_batch(request: LogBatch) -> None:
    """Everything checkable without the database, before a connection is taken."""
    validate_batch_limits(len(request.metrics), len(request.params), len(request.tags))
    for index, metric in enumerate(request.metrics):
        if not metric_is_valid(metric.key, metric.timestamp):
            validate_metric(metric.key, metric.timestamp, f"metrics[{index}]")
    for index, param in enumerate(request.params):
        validate_param(param.key, param.value, f"params[{index}]")
    validate_unique_param_keys([param.key for param in request.params])
    for index, tag in enumerate(request.tags):
        validate_tag(tag.key, tag.value, f"tags[{index}]")


@use_cases.transaction
async def log_batch(conn: Connection, request: LogBatch) -> None:
    await require_active(conn, request.resolved_run_id)
    await _write_params(conn, request.resolved_run_id, [(p.key, p.value) for p in request.params])
    await _write_tags(conn, request.resolved_run_id, [(t.key, t.value) for t in request.tags])
    if request.metrics:
        await _write_metrics(conn, request.resolved_run_id, request.metrics)


@use_cases.transaction
async def set_tag(conn: Connection, request: SetTag) -> None:
    validate_tag(request.key, request.value, "")
    await require_active(conn, request.resolved_run_id)
    await _write_tags(conn, request.resolved_run_id, [(request.key, request.value)])


@use_cases.transaction
async def delete_tag(conn: Connection, request: DeleteTag) -> None:
    await require_active(conn, request.resolved_run_id)
    if not await repository.delete_tag(conn, request.resolved_run_id, request.key):
        raise ResourceDoesNotExist(
            f"No tag with name: {request.key} in run with id {request.resolved_run_id}"
        )


def _validate_inputs(request: LogInputs) -> None:
    for entry in request.datasets:
        dataset = entry.dataset
        validate_length("Dataset name", MAX_DATASET_NAME_SIZE, dataset.name)
        validate_length("Dataset digest", MAX_DATASET_DIGEST_SIZE, dataset.digest)
        validate_length("Dataset source", MAX_DATASET_SOURCE_SIZE, dataset.source)
        validate_length("Dataset schema", MAX_DATASET_SCHEMA_SIZE, dataset.schema_)
        validate_length("Dataset profile", MAX_DATASET_PROFILE_SIZE, dataset.profile)
        for tag in entry.tags:
            validate_length("Input tag key", MAX_INPUT_TAG_KEY_SIZE, tag.key)
            validate_length("Input tag value", MAX_INPUT_TAG_VALUE_SIZE, tag.value)


@use_cases.transaction
async def log_inputs(conn: Connection, request: LogInputs) -> None:
    _validate_inputs(request)
    run = await require_active(conn, request.resolved_run_id)
    for entry in request.datasets:
        dataset_id = await inputs.upsert_dataset(conn, run.experiment_id, entry.dataset)
        tags = [{"key": t.key, "value": t.value} for t in entry.tags]
        await inputs.link_dataset(conn, request.resolved_run_id, dataset_id, tags)
    await inputs.link_model_inputs(
        conn, request.resolved_run_id, [m.model_id for m in request.models]
    )


@use_cases.transaction
async def log_outputs(conn: Connection, request: LogOutputs) -> None:
    await require_active(conn, request.resolved_run_id)
    await inputs.link_model_outputs(
        conn, request.resolved_run_id, [(m.model_id, m.step) for m in request.models]
    )


@use_cases.transaction
async def log_model(conn: Connection, request: LogModel) -> None:
    """MLflow 2.x clients record each logged model's MLmodel JSON in a history tag."""
    try:
        model = orjson.loads(request.model_json)
    except orjson.JSONDecodeError:
        raise InvalidParameterValue("Argument 'model_json' must be valid JSON.") from None
    if not isinstance(model, dict) or "artifact_path" not in model:
        raise InvalidParameterValue("Model json is missing mandatory field 'artifact_path'.")
    await require_active(conn, request.resolved_run_id)
    history_tag = (
        await repository.tag_value(conn, request.resolved_run_id, LOG_MODEL_HISTORY_TAG) or "[]"
    )
    history = orjson.loads(history_tag)
    history.append(model)
    await repository.upsert_tags(
        conn, request.resolved_run_id, [(LOG_MODEL_HISTORY_TAG, orjson.dumps(history).decode())]
    )


@use_cases.autocommit  # the filtered statement is planned for its values (repository.search)
async def search(
    conn: Connection, request: SearchRuns, caller: Principal | None, access_cache: AccessCache
) -> SearchRunsResponse:
    validate_max_results(request.max_results, MAX_RESULTS_RUNS)
    requested = [int(e) for e in request.experiment_ids]
    experiment_ids = await access.readable(conn, caller, "experiment", requested, access_cache)
    stages = LIFECYCLE_STAGES[request.run_view_type]
    query = run_search.translate(request.filter, request.order_by)
    page = await search_page(
        request,
        lambda offset, limit: repository.search(conn, experiment_ids, stages, query, offset, limit),
        lambda page: render(conn, page, request.columns),
    )
    return search_runs_response(page)
