"""Summaries the web UI needs and MLflow's API lacks (docs/tracking.md, "Endpoints the web
UI adds")."""

from fastapi import APIRouter
from starlette.requests import Request

from services.core.auth.policy import Rule, experiment, requires
from services.core.http import JSONResponse, accepts, parse_request
from services.tracking.summaries import service
from services.tracking.summaries.schemas import GetMetricSummaries, GetRunCounts, GetRunKeys

router = APIRouter(prefix="/api/2.0/grimoire", tags=["summaries"])


@router.get("/runs/metric-summaries")
@accepts(GetMetricSummaries)
@requires(Rule("runs", "READ", "run_ids"))
async def get_metric_summaries(request: Request) -> JSONResponse:
    body = await parse_request(request, GetMetricSummaries)
    return JSONResponse(await service.metric_summaries(request.app.state.db, body))


@router.get("/experiments/run-counts")
@accepts(GetRunCounts)
@requires(Rule("experiments", "READ", "experiment_ids"))
async def get_run_counts(request: Request) -> JSONResponse:
    body = await parse_request(request, GetRunCounts)
    return JSONResponse(await service.run_counts(request.app.state.db, body))


@router.get("/experiments/run-keys")
@accepts(GetRunKeys)
@requires(experiment("READ"))
async def get_run_keys(request: Request) -> JSONResponse:
    body = await parse_request(request, GetRunKeys)
    return JSONResponse(await service.run_keys(request.app.state.db, body))
