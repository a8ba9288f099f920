from fastapi import APIRouter
from starlette.requests import Request

from services.core.actor import actor
from services.core.auth.policy import AUTHENTICATED, model, requires
from services.core.http import JSONResponse, accepts, empty, parse_request
from services.registry.versions import service
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
    version = await state.db.run(service.create, body, actor(request), state.access_cache)
    return JSONResponse({"model_version": version})


@router.get("/get")
@accepts(VersionRef)
@requires(model("READ"))
async def get(request: Request) -> JSONResponse:
    body = await parse_request(request, VersionRef)
    version = await request.app.state.db.run(service.get, body.name, body.version)
    return JSONResponse({"model_version": version})


@router.patch("/update")
@accepts(UpdateModelVersion)
@requires(model("EDIT"))
async def update(request: Request) -> JSONResponse:
    body = await parse_request(request, UpdateModelVersion)
    version = await request.app.state.db.run(
        service.update_description, body.name, body.version, body.description
    )
    return JSONResponse({"model_version": version})


@router.delete("/delete")
@accepts(VersionRef)
@requires(model("MANAGE", "model_version.delete"))
async def delete(request: Request) -> JSONResponse:
    body = await parse_request(request, VersionRef)
    await request.app.state.db.run(service.delete, body.name, body.version)
    return empty()


@router.get("/search")
@accepts(SearchModelVersions)
@requires(AUTHENTICATED)
async def search(request: Request) -> JSONResponse:
    body = await parse_request(request, SearchModelVersions)
    return JSONResponse(await request.app.state.db.search(service.search_versions, body))


@router.post("/transition-stage")
@accepts(TransitionStage)
@requires(model("EDIT", "stage.transition"))
async def transition_stage(request: Request) -> JSONResponse:
    body = await parse_request(request, TransitionStage)
    version = await request.app.state.db.run(service.transition, body, actor(request))
    return JSONResponse({"model_version": version})


@router.post("/set-tag")
@accepts(SetModelVersionTag)
@requires(model("EDIT"))
async def set_tag(request: Request) -> JSONResponse:
    body = await parse_request(request, SetModelVersionTag)
    await request.app.state.db.run(service.set_tag, body.name, body.version, body.key, body.value)
    return empty()


@router.delete("/delete-tag")
@accepts(DeleteModelVersionTag)
@requires(model("EDIT"))
async def delete_tag(request: Request) -> JSONResponse:
    body = await parse_request(request, DeleteModelVersionTag)
    await request.app.state.db.run(service.delete_tag, body.name, body.version, body.key)
    return empty()


@router.get("/get-download-uri")
@accepts(VersionRef)
@requires(model("READ"))
async def get_download_uri(request: Request) -> JSONResponse:
    body = await parse_request(request, VersionRef)
    uri = await request.app.state.db.run(service.download_uri, body.name, body.version)
    return JSONResponse({"artifact_uri": uri})
