from fastapi import APIRouter
from starlette.requests import Request

from services.core.auth.policy import AUTHENTICATED, experiment, requires, run
from services.core.auth.principal import caller_of
from services.core.http import JSONResponse, accepts, empty, parse_request
from services.core.ids import new_hex_id
from services.tracking.runs import service
from services.tracking.runs.render import CreateRunResponse, GetRunResponse, UpdateRunResponse
from services.tracking.runs.schemas import (
    CreateRun,
    DeleteTag,
    LogBatch,
    LogInputs,
    LogMetric,
    LogModel,
    LogOutputs,
    LogParam,
    RunRef,
    SearchRuns,
    SetTag,
    UpdateRun,
)

router = APIRouter(prefix="/api/2.0/mlflow/runs", tags=["runs"])


@router.post("/create")
@accepts(CreateRun)
@requires(experiment("EDIT"))
async def create_run(request: Request) -> JSONResponse:
    body = await parse_request(request, CreateRun)
    # The id is chosen before the transaction so a retried attempt cannot create a twin.
    run = await service.create(request.app.state.db, body, new_hex_id())
    return JSONResponse(CreateRunResponse(run=run))


@router.get("/get")
@accepts(RunRef)
@requires(run("READ"))
async def get_run(request: Request) -> JSONResponse:
    body = await parse_request(request, RunRef)
    run = await service.get(request.app.state.db, body.resolved_run_id)
    return JSONResponse(GetRunResponse(run=run))


@router.post("/update")
@accepts(UpdateRun)
@requires(run("EDIT"))
async def update_run(request: Request) -> JSONResponse:
    body = await parse_request(request, UpdateRun)
    run_info = await service.update(request.app.state.db, body)
    return JSONResponse(UpdateRunResponse(run_info=run_info))


@router.post("/delete")
@accepts(RunRef)
@requires(run("MANAGE", "run.delete"))
async def delete_run(request: Request) -> JSONResponse:
    body = await parse_request(request, RunRef)
    await service.set_lifecycle(request.app.state.db, body.resolved_run_id, "deleted")
    return empty()


@router.post("/restore")
@accepts(RunRef)
@requires(run("MANAGE", "run.restore"))
async def restore_run(request: Request) -> JSONResponse:
    body = await parse_request(request, RunRef)
    await service.set_lifecycle(request.app.state.db, body.resolved_run_id, "active")
    return empty()


@router.post("/search")
@accepts(SearchRuns)
@requires(AUTHENTICATED)
async def search_runs(request: Request) -> JSONResponse:
    body = await parse_request(request, SearchRuns)
    state = request.app.state
    return JSONResponse(
        await service.search(state.db, body, caller_of(request), state.access_cache)
    )


@router.post("/log-parameter")
@accepts(LogParam)
@requires(run("EDIT"))
async def log_param(request: Request) -> JSONResponse:
    body = await parse_request(request, LogParam)
    await service.log_param(request.app.state.db, body)
    return empty()


@router.post("/log-metric")
@accepts(LogMetric)
@requires(run("EDIT"))
async def log_metric(request: Request) -> JSONResponse:
    body = await parse_request(request, LogMetric)
    service.validate_metric_request(body)
    db = request.app.state.db
    if service.is_plain_metrics(body):
        await service.log_plain_metrics(db, body)  # one atomic statement, autocommit
    else:
        await service.log_metric(db, body)
    return empty()


@router.post("/log-batch")
@accepts(LogBatch)
@requires(run("EDIT"))
async def log_batch(request: Request) -> JSONResponse:
    body = await parse_request(request, LogBatch)
    service.validate_batch(body)
    db = request.app.state.db
    if service.is_plain_metrics(body):
        await service.log_plain_metrics(db, body)  # one atomic statement, autocommit
    else:
        await service.log_batch(db, body)
    return empty()


@router.post("/set-tag")
@accepts(SetTag)
@requires(run("EDIT"))
async def set_tag(request: Request) -> JSONResponse:
    body = await parse_request(request, SetTag)
    await service.set_tag(request.app.state.db, body)
    return empty()


@router.post("/delete-tag")
@accepts(DeleteTag)
@requires(run("EDIT"))
async def delete_tag(request: Request) -> JSONResponse:
    body = await parse_request(request, DeleteTag)
    await service.delete_tag(request.app.state.db, body)
    return empty()


@router.post("/log-inputs")
@accepts(LogInputs)
@requires(run("EDIT"))
async def log_inputs(request: Request) -> JSONResponse:
    body = await parse_request(request, LogInputs)
    await service.log_inputs(request.app.state.db, body)
    return empty()


@router.post("/outputs")
@accepts(LogOutputs)
@requires(run("EDIT"))
async def log_outputs(request: Request) -> JSONResponse:
    body = await parse_request(request, LogOutputs)
    await service.log_outputs(request.app.state.db, body)
    return empty()


@router.post("/log-model")
@accepts(LogModel)
@requires(run("EDIT"))
async def log_model(request: Request) -> JSONResponse:
    body = await parse_request(request, LogModel)
    await service.log_model(request.app.state.db, body)
    return empty()
