"""Named views of an experiment's runs table, shared by everyone who may read it."""

from services.core.clock import now_ms
from services.core.db import use_cases
from services.core.db.engine import Connection
from services.core.errors import ResourceDoesNotExist
from services.tracking.experiments import service as experiments
from services.tracking.views import repository
from services.tracking.views.render import ListExperimentViewsResponse, render_views
from services.tracking.views.schemas import (
    ExperimentViewRef,
    ListExperimentViews,
    SaveExperimentView,
)


@use_cases.autocommit
async def list_views(conn: Connection, request: ListExperimentViews) -> ListExperimentViewsResponse:
    await experiments.require(conn, request.experiment_id)
    rows = await repository.list_for(conn, int(request.experiment_id))
    return render_views(rows)


@use_cases.transaction
async def save(conn: Connection, request: SaveExperimentView, actor: str | None) -> None:
    await experiments.require_active(conn, request.experiment_id)
    await repository.upsert(
        conn, int(request.experiment_id), request.name, request.state, actor or "", now_ms()
    )


@use_cases.transaction
async def delete(conn: Connection, request: ExperimentViewRef) -> None:
    await experiments.require(conn, request.experiment_id)
    if not await repository.remove(conn, int(request.experiment_id), request.name):
        raise ResourceDoesNotExist(
            f"Experiment {request.experiment_id} has no view named {request.name!r}."
        )
