from fastapi import APIRouter
from starlette.requests import Request

from services.core.actor import actor
from services.core.auth.policy import AUTHENTICATED, model, requires
from services.core.auth.principal import caller_of
from services.core.http import JSONResponse, accepts, empty, parse_request
from services.registry.versions import service
from services.registry.versions.render import (
    CreateModelVersionResponse,
    GetModelVersionDownloadUriResponse,
    GetModelVersionResponse,
    TransitionModelVersionStageResponse,
    UpdateModelVersionResponse,
)
from services.registry.versions.schemas import (
    CreateModelVersion,
    DeleteModelVersionTag,
    SearchModelVersions,
    SetModelVersionTag,
    TransitionStage,
    UpdateModelVersion,
    VersionRef,
)

router = APIRouter(prefix="/api/2.0/mlflow/model-versions", tags=["model-versions"])


@router.post("/create")
@accepts(CreateModelVersion)
@requires(model("EDIT"))
async def create(request: Request) -> JSONResponse:
    body = await parse_request(request, CreateModelVersion)
    state = request.app.state
    version = await service.create(
        state.db, body, actor(request), caller_of(request), state.access_cache
    )
    return JSONResponse(CreateModelVersionResponse(model_version=version))


@router.get("/get")
@accepts(VersionRef)
@requires(model("READ"))
async def get(request: Request) -> JSONResponse:
    body = await parse_request(request, VersionRef)
    version = await service.get(request.app.state.db, body.name, body.version)
    return JSONResponse(GetModelVersionResponse(model_version=version))


@router.patch("/update")
@accepts(UpdateModelVersion)
@requires(model("EDIT"))
async def update(request: Request) -> JSONResponse:
    body = await parse_request(request, UpdateModelVersion)
    version = await service.update_description(
        request.app.state.db, body.name, body.version, body.description
    )
    return JSONResponse(UpdateModelVersionResponse(model_version=version))


@router.delete("/delete")
@accepts(VersionRef)
@requires(model("MANAGE", "model_version.delete"))
async def delete(request: Request) -> JSONResponse:
    body = await parse_request(request, VersionRef)
    await service.delete(request.app.state.db, body.name, body.version)
    return empty()


@router.get("/search")
@accepts(SearchModelVersions)
@requires(AUTHENTICATED)
async def search(request: Request) -> JSONResponse:
    body = await parse_request(request, SearchModelVersions)
    return JSONResponse(
        await service.search_versions(request.app.state.db, body, caller_of(request))
    )


@router.post("/transition-stage")
@accepts(TransitionStage)
@requires(model("EDIT", "stage.transition"))
async def transition_stage(request: Request) -> JSONResponse:
    body = await parse_request(request, TransitionStage)
    version = await service.transition(request.app.state.db, body, actor(request))
    return JSONResponse(TransitionModelVersionStageResponse(model_version=version))


@router.post("/set-tag")
@accepts(SetModelVersionTag)
@requires(model("EDIT"))
async def set_tag(request: Request) -> JSONResponse:
    body = await parse_request(request, SetModelVersionTag)
    await service.set_tag(request.app.state.db, body.name, body.version, body.key, body.value)
    return empty()


@router.delete("/delete-tag")
@accepts(DeleteModelVersionTag)
@requires(model("EDIT"))
async def delete_tag(request: Request) -> JSONResponse:
    body = await parse_request(request, DeleteModelVersionTag)
    await service.delete_tag(request.app.state.db, body.name, body.version, body.key)
    return empty()


@router.get("/get-download-uri")
@accepts(VersionRef)
@requires(model("READ"))
async def get_download_uri(request: Request) -> JSONResponse:
    body = await parse_request(request, VersionRef)
    uri = await service.download_uri(request.app.state.db, body.name, body.version)
    return JSONResponse(GetModelVersionDownloadUriResponse(artifact_uri=uri))
