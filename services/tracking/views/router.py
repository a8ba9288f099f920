"""Saved views of an experiment's runs table (docs/tracking.md, "Endpoints the web UI adds")."""

from fastapi import APIRouter
from starlette.requests import Request

from services.core.actor import actor
from services.core.auth.policy import experiment, requires
from services.core.http import JSONResponse, accepts, empty, parse_request
from services.tracking.views import service
from services.tracking.views.schemas import (
    ExperimentViewRef,
    ListExperimentViews,
    SaveExperimentView,
)

router = APIRouter(prefix="/api/2.0/grimoire/experiment-views", tags=["experiment views"])


@router.get("/list")
@accepts(ListExperimentViews)
@requires(experiment("READ"))
async def list_experiment_views(request: Request) -> JSONResponse:
    body = await parse_request(request, ListExperimentViews)
    return JSONResponse(await service.list_views(request.app.state.db, body))


@router.post("/save")
@accepts(SaveExperimentView)
@requires(experiment("EDIT", "experiment_view.save"))
async def save_experiment_view(request: Request) -> JSONResponse:
    body = await parse_request(request, SaveExperimentView)
    await service.save(request.app.state.db, body, actor(request))
    return empty()


@router.post("/delete")
@accepts(ExperimentViewRef)
@requires(experiment("EDIT", "experiment_view.delete"))
async def delete_experiment_view(request: Request) -> JSONResponse:
    body = await parse_request(request, ExperimentViewRef)
    await service.delete(request.app.state.db, body)
    return empty()
