"""Experiment use cases, each declaring its mode (services/core/db/use_cases.py)."""

from typing import Any

from services.core.auth.access import grant_creator, visible
from services.core.auth.principal import Principal
from services.core.clock import now_ms
from services.core.db import use_cases
from services.core.db.engine import Connection
from services.core.db.tables.tracking import experiments
from services.core.enums import LIFECYCLE_STAGES, LifecycleStage
from services.core.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist
from services.core.paging import search_page
from services.tracking.experiments import repository
from services.tracking.experiments import search as experiment_search
from services.tracking.experiments.render import (
    Experiment,
    SearchExperimentsResponse,
    render_experiment,
    search_experiments_response,
)
from services.tracking.experiments.schemas import (
    CreateExperiment,
    DeleteExperimentTag,
    SearchExperiments,
    SetExperimentTag,
    UpdateExperiment,
)
from services.tracking.runs import repository as run_repository
from services.tracking.validation import (
    MAX_EXPERIMENT_TAG_KEY_LENGTH,
    MAX_EXPERIMENT_TAG_VAL_LENGTH,
    MAX_RESULTS_EXPERIMENTS,
    validate_experiment_name,
    validate_length,
    validate_max_results,
    validate_name,
)


def _validate_tag(key: str, value: str) -> None:
    validate_name(key, "key")
    validate_length("key", MAX_EXPERIMENT_TAG_KEY_LENGTH, key)
    validate_length("value", MAX_EXPERIMENT_TAG_VAL_LENGTH, value)


async def require(conn: Connection, experiment_id: str, *, lock: bool = False) -> Any:
    row = await repository.get(conn, int(experiment_id), lock=lock)
    if row is None:
        raise ResourceDoesNotExist(f"No Experiment with id={experiment_id} exists")
    return row


async def require_active(conn: Connection, experiment_id: str) -> Any:
    row = await require(conn, experiment_id)
    if row.lifecycle_stage != "active":
        raise InvalidParameterValue(
            f"The experiment {experiment_id} must be in the 'active' state. "
            f"Current state is {row.lifecycle_stage}."
        )
    return row


@use_cases.transaction
async def create(conn: Connection, request: CreateExperiment, caller: Principal | None) -> str:
    validate_experiment_name(request.name)
    for tag in request.tags:
        _validate_tag(tag.key, tag.value)
    experiment_id = await repository.create(conn, request.name, request.artifact_location, now_ms())
    if experiment_id is None:
        existing = await repository.get_by_name(conn, request.name)
        state = " in deleted state" if existing and existing.lifecycle_stage == "deleted" else ""
        raise ResourceAlreadyExists(
            f"Experiment '{request.name}' already exists{state}."
            + (" You can restore the experiment, or rename it first." if state else "")
        )
    await repository.set_tags(conn, experiment_id, [(t.key, t.value) for t in request.tags])
    await grant_creator(conn, caller, "experiment", str(experiment_id))
    return str(experiment_id)


async def _render(conn: Connection, row: Any) -> Experiment:
    tags = await repository.tags_for(conn, [row.experiment_id])
    return render_experiment(row, tags.get(row.experiment_id, []))


@use_cases.autocommit
async def get(conn: Connection, experiment_id: str) -> Experiment:
    return await _render(conn, await require(conn, experiment_id))


@use_cases.autocommit
async def get_by_name(conn: Connection, name: str) -> Experiment:
    row = await repository.get_by_name(conn, name)
    if row is None:
        raise ResourceDoesNotExist(f"Could not find experiment with name '{name}'")
    return await _render(conn, row)


@use_cases.search
async def search(
    conn: Connection, request: SearchExperiments, caller: Principal | None
) -> SearchExperimentsResponse:
    validate_max_results(request.max_results, MAX_RESULTS_EXPERIMENTS)
    where = [
        experiments.c.lifecycle_stage.in_(LIFECYCLE_STAGES[request.view_type]),
        *experiment_search.filter_clauses(request.filter),
    ]
    readable = visible(caller, experiments.c.experiment_id, "experiment")
    if readable is not None:
        where.append(readable)
    order = experiment_search.order_clauses(request.order_by)
    page = await search_page(
        request,
        lambda offset, limit: repository.search(conn, where, order, offset, limit),
        lambda page: _render_page(conn, page),
    )
    return search_experiments_response(page)


async def _render_page(conn: Connection, rows: list[Any]) -> list[Experiment]:
    tags = await repository.tags_for(conn, [row.experiment_id for row in rows])
    return [render_experiment(r, tags.get(r.experiment_id, [])) for r in rows]


@use_cases.transaction
async def rename(conn: Connection, request: UpdateExperiment) -> None:
    validate_experiment_name(request.new_name)
    row = await require(conn, request.experiment_id, lock=True)
    if row.lifecycle_stage != "active":
        raise InvalidParameterValue(
            f"Cannot rename a non-active experiment {request.experiment_id}."
        )
    taken = await repository.get_by_name(conn, request.new_name)
    if taken is not None and taken.experiment_id != row.experiment_id:
        raise ResourceAlreadyExists(f"Experiment '{request.new_name}' already exists.")
    await repository.update_fields(
        conn, row.experiment_id, name=request.new_name, last_update_time=now_ms()
    )


@use_cases.transaction
async def set_lifecycle(conn: Connection, experiment_id: str, stage: LifecycleStage) -> None:
    row = await require(conn, experiment_id, lock=True)
    if row.experiment_id == 0 and stage == "deleted":
        raise InvalidParameterValue("Cannot delete the default experiment '0'.")
    expected = "active" if stage == "deleted" else "deleted"
    if row.lifecycle_stage != expected:
        raise InvalidParameterValue(
            f"Cannot {'delete' if stage == 'deleted' else 'restore'} experiment "
            f"{experiment_id}: it is {row.lifecycle_stage}, expected {expected}."
        )
    await repository.update_fields(
        conn, row.experiment_id, lifecycle_stage=stage, last_update_time=now_ms()
    )
    # Deleting an experiment hides its runs too; restoring brings them back (MLflow semantics).
    await run_repository.set_lifecycle_for_experiment(conn, row.experiment_id, stage)


@use_cases.transaction
async def set_tag(conn: Connection, request: SetExperimentTag) -> None:
    _validate_tag(request.key, request.value)
    row = await require_active(conn, request.experiment_id)
    await repository.set_tags(conn, row.experiment_id, [(request.key, request.value)])


@use_cases.transaction
async def delete_tag(conn: Connection, request: DeleteExperimentTag) -> None:
    row = await require_active(conn, request.experiment_id)
    if not await repository.delete_tag(conn, row.experiment_id, request.key):
        raise ResourceDoesNotExist(
            f"No tag with name: {request.key} in experiment with id {request.experiment_id}"
        )
