"""MLflow 3 logged models: created PENDING by `log_model`, finalized READY once uploaded."""

import uuid
from typing import Any

from services.core.artifact_uris import logged_model_artifact_uri
from services.core.auth.access import readable
from services.core.auth.access_cache import AccessCache
from services.core.auth.principal import Principal
from services.core.clock import now_ms
from services.core.db import use_cases
from services.core.db.engine import Connection
from services.core.db.tables.tracking import logged_models
from services.core.errors import ResourceDoesNotExist
from services.core.paging import search_page
from services.tracking.experiments import service as experiments
from services.tracking.logged_models import repository
from services.tracking.logged_models import search as model_search
from services.tracking.logged_models.render import (
    LoggedModel,
    SearchLoggedModelsResponse,
    render_logged_model,
    search_logged_models_response,
)
from services.tracking.logged_models.schemas import (
    STATUS_NUMBERS,
    CreateLoggedModel,
    FinalizeLoggedModel,
    SearchLoggedModels,
)
from services.tracking.runs import service as runs
from services.tracking.runs.names import random_run_name
from services.tracking.validation import (
    validate_max_results,
    validate_param,
    validate_tag,
)

MAX_RESULTS_LOGGED_MODELS = 50_000


def new_model_id() -> str:
    return f"m-{uuid.uuid4().hex}"


@use_cases.autocommit
async def require(conn: Connection, model_id: str, *, allow_deleted: bool = False) -> Any:
    row = await repository.get(conn, model_id)
    if row is None or (row.lifecycle_stage == "deleted" and not allow_deleted):
        raise ResourceDoesNotExist(f"Logged model with ID '{model_id}' not found.")
    return row


async def render(conn: Connection, rows: list[Any]) -> list[LoggedModel]:
    children = await repository.children(conn, [row.model_id for row in rows])
    return [
        render_logged_model(
            row,
            children[row.model_id]["params"],
            children[row.model_id]["tags"],
            children[row.model_id]["metrics"],
        )
        for row in rows
    ]


@use_cases.transaction
async def get(conn: Connection, model_id: str, allow_deleted: bool = False) -> LoggedModel:
    return (await render(conn, [await require.on(conn, model_id, allow_deleted=allow_deleted)]))[0]


@use_cases.transaction
async def create(conn: Connection, request: CreateLoggedModel, model_id: str) -> LoggedModel:
    for index, param in enumerate(request.params):
        validate_param(param.key, param.value, f"params[{index}]")
    for index, tag in enumerate(request.tags):
        validate_tag(tag.key, tag.value, f"tags[{index}]")
    experiment = await experiments.require_active(conn, request.experiment_id)
    if request.source_run_id:
        await runs.require.on(conn, request.source_run_id)
    now = now_ms()
    await repository.create(
        conn,
        {
            "model_id": model_id,
            "experiment_id": experiment.experiment_id,
            "name": request.name or random_run_name(),
            "artifact_location": logged_model_artifact_uri(experiment.artifact_location, model_id),
            "creation_timestamp_ms": now,
            "last_updated_timestamp_ms": now,
            "status": STATUS_NUMBERS["LOGGED_MODEL_PENDING"],
            "lifecycle_stage": "active",
            "model_type": request.model_type,
            "source_run_id": request.source_run_id or None,
        },
    )
    await repository.set_params(conn, model_id, [(p.key, p.value) for p in request.params])
    await repository.set_tags(conn, model_id, [(t.key, t.value) for t in request.tags])
    return await get.on(conn, model_id)


@use_cases.transaction
async def finalize(conn: Connection, model_id: str, request: FinalizeLoggedModel) -> LoggedModel:
    await require.on(conn, model_id)
    await repository.update_fields(
        conn,
        model_id,
        status=STATUS_NUMBERS[request.status],
        last_updated_timestamp_ms=now_ms(),
    )
    return await get.on(conn, model_id)


@use_cases.transaction
async def delete(conn: Connection, model_id: str) -> None:
    await require.on(conn, model_id)
    await repository.update_fields(
        conn, model_id, lifecycle_stage="deleted", last_updated_timestamp_ms=now_ms()
    )


@use_cases.transaction
async def set_tags(conn: Connection, model_id: str, tags: list[tuple[str, str]]) -> LoggedModel:
    for index, (key, value) in enumerate(tags):
        validate_tag(key, value, f"tags[{index}]")
    await require.on(conn, model_id)
    await repository.set_tags(conn, model_id, tags)
    return await get.on(conn, model_id)


@use_cases.transaction
async def delete_tag(conn: Connection, model_id: str, key: str) -> None:
    await require.on(conn, model_id)
    if not await repository.delete_tag(conn, model_id, key):
        raise ResourceDoesNotExist(f"No tag with key '{key}' on logged model '{model_id}'.")


@use_cases.transaction
async def log_params(conn: Connection, model_id: str, params: list[tuple[str, str]]) -> None:
    for index, (key, value) in enumerate(params):
        validate_param(key, value, f"params[{index}]")
    await require.on(conn, model_id)
    await repository.set_params(conn, model_id, params)


@use_cases.search
async def search(
    conn: Connection,
    request: SearchLoggedModels,
    caller: Principal | None,
    access_cache: AccessCache,
) -> SearchLoggedModelsResponse:
    validate_max_results(request.max_results, MAX_RESULTS_LOGGED_MODELS)
    requested = [int(e) for e in request.experiment_ids]
    experiment_ids = await readable(conn, caller, "experiment", requested, access_cache)
    where = [
        logged_models.c.experiment_id.in_(experiment_ids),
        logged_models.c.lifecycle_stage == "active",
        *model_search.filter_clauses(request.filter, request.datasets),
    ]
    order = model_search.order_clauses(request.order_by)
    page = await search_page(
        request,
        lambda offset, limit: repository.search(conn, where, order, offset, limit),
        lambda page: render(conn, page),
    )
    return search_logged_models_response(page)
