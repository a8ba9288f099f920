from fastapi import APIRouter
from starlette.requests import Request

from services.core.auth.policy import AUTHENTICATED, Rule, experiment, requires
from services.core.auth.principal import caller_of
from services.core.http import JSONResponse, accepts, empty, parse_request
from services.tracking.experiments import service
from services.tracking.experiments.render import (
    CreateExperimentResponse,
    GetExperimentByNameResponse,
    GetExperimentResponse,
)
from services.tracking.experiments.schemas import (
    CreateExperiment,
    DeleteExperimentTag,
    ExperimentRef,
    GetExperiment,
    GetExperimentByName,
    SearchExperiments,
    SetExperimentTag,
    UpdateExperiment,
)

router = APIRouter(prefix="/api/2.0/mlflow/experiments", tags=["experiments"])


@router.post("/create")
@accepts(CreateExperiment)
@requires(Rule("new_experiment", "EDIT", "name"))
async def create_experiment(request: Request) -> JSONResponse:
    body = await parse_request(request, CreateExperiment)
    experiment_id = await service.create(request.app.state.db, body, caller_of(request))
    return JSONResponse(CreateExperimentResponse(experiment_id=experiment_id))


@router.get("/get")
@accepts(GetExperiment)
@requires(experiment("READ"))
async def get_experiment(request: Request) -> JSONResponse:
    body = await parse_request(request, GetExperiment)
    experiment = await service.get(request.app.state.db, body.experiment_id)
    return JSONResponse(GetExperimentResponse(experiment=experiment))


@router.get("/get-by-name")
@accepts(GetExperimentByName)
@requires(Rule("experiment_by_name", "READ", "experiment_name"))
async def get_experiment_by_name(request: Request) -> JSONResponse:
    body = await parse_request(request, GetExperimentByName)
    experiment = await service.get_by_name(request.app.state.db, body.experiment_name)
    return JSONResponse(GetExperimentByNameResponse(experiment=experiment))


@router.api_route("/search", methods=["GET", "POST"])
@accepts(SearchExperiments)
@requires(AUTHENTICATED)
async def search_experiments(request: Request) -> JSONResponse:
    body = await parse_request(request, SearchExperiments)
    return JSONResponse(await service.search(request.app.state.db, body, caller_of(request)))


@router.post("/update")
@accepts(UpdateExperiment)
@requires(experiment("EDIT"))
async def update_experiment(request: Request) -> JSONResponse:
    body = await parse_request(request, UpdateExperiment)
    await service.rename(request.app.state.db, body)
    return empty()


@router.post("/delete")
@accepts(ExperimentRef)
@requires(experiment("MANAGE", "experiment.delete"))
async def delete_experiment(request: Request) -> JSONResponse:
    body = await parse_request(request, ExperimentRef)
    await service.set_lifecycle(request.app.state.db, body.experiment_id, "deleted")
    return empty()


@router.post("/restore")
@accepts(ExperimentRef)
@requires(experiment("MANAGE", "experiment.restore"))
async def restore_experiment(request: Request) -> JSONResponse:
    body = await parse_request(request, ExperimentRef)
    await service.set_lifecycle(request.app.state.db, body.experiment_id, "active")
    return empty()


@router.post("/set-experiment-tag")
@accepts(SetExperimentTag)
@requires(experiment("EDIT"))
async def set_experiment_tag(request: Request) -> JSONResponse:
    body = await parse_request(request, SetExperimentTag)
    await service.set_tag(request.app.state.db, body)
    return empty()


@router.post("/delete-experiment-tag")
@accepts(DeleteExperimentTag)
@requires(experiment("EDIT"))
async def delete_experiment_tag(request: Request) -> JSONResponse:
    body = await parse_request(request, DeleteExperimentTag)
    await service.delete_tag(request.app.state.db, body)
    return empty()
