from fastapi import APIRouter
from starlette.requests import Request

from services.core.auth.policy import AUTHENTICATED, experiment, logged_model, requires
from services.core.auth.principal import caller_of
from services.core.http import JSONResponse, accepts, empty, parse_request
from services.tracking.artifact_listing import list_under
from services.tracking.logged_models import service
from services.tracking.logged_models.render import (
    CreateLoggedModelResponse,
    FinalizeLoggedModelResponse,
    GetLoggedModelResponse,
    SetLoggedModelTagsResponse,
)
from services.tracking.logged_models.schemas import (
    CreateLoggedModel,
    FinalizeLoggedModel,
    GetLoggedModel,
    ListLoggedModelArtifacts,
    LogLoggedModelParams,
    SearchLoggedModels,
    SetLoggedModelTags,
)

router = APIRouter(prefix="/api/2.0/mlflow/logged-models", tags=["logged-models"])


@router.post("")
@accepts(CreateLoggedModel)
@requires(experiment("EDIT"))
async def create_logged_model(request: Request) -> JSONResponse:
    body = await parse_request(request, CreateLoggedModel)
    model = await service.create(request.app.state.db, body, service.new_model_id())
    return JSONResponse(CreateLoggedModelResponse(model=model))


@router.post("/search")
@accepts(SearchLoggedModels)
@requires(AUTHENTICATED)
async def search_logged_models(request: Request) -> JSONResponse:
    body = await parse_request(request, SearchLoggedModels)
    state = request.app.state
    return JSONResponse(
        await service.search(state.db, body, caller_of(request), state.access_cache)
    )


@router.get("/{model_id}")
@accepts(GetLoggedModel)
@requires(logged_model("READ"))
async def get_logged_model(request: Request, model_id: str) -> JSONResponse:
    body = await parse_request(request, GetLoggedModel)
    model = await service.get(request.app.state.db, model_id, body.allow_deleted)
    return JSONResponse(GetLoggedModelResponse(model=model))


@router.patch("/{model_id}")
@accepts(FinalizeLoggedModel)
@requires(logged_model("EDIT"))
async def finalize_logged_model(request: Request, model_id: str) -> JSONResponse:
    body = await parse_request(request, FinalizeLoggedModel)
    model = await service.finalize(request.app.state.db, model_id, body)
    return JSONResponse(FinalizeLoggedModelResponse(model=model))


@router.delete("/{model_id}")
@requires(logged_model("MANAGE", "logged_model.delete"))
async def delete_logged_model(request: Request, model_id: str) -> JSONResponse:
    await service.delete(request.app.state.db, model_id)
    return empty()


@router.patch("/{model_id}/tags")
@accepts(SetLoggedModelTags)
@requires(logged_model("EDIT"))
async def set_logged_model_tags(request: Request, model_id: str) -> JSONResponse:
    body = await parse_request(request, SetLoggedModelTags)
    tags = [(t.key, t.value) for t in body.tags]
    model = await service.set_tags(request.app.state.db, model_id, tags)
    return JSONResponse(SetLoggedModelTagsResponse(model=model))


@router.delete("/{model_id}/tags/{tag_key:path}")
@requires(logged_model("EDIT"))
async def delete_logged_model_tag(request: Request, model_id: str, tag_key: str) -> JSONResponse:
    await service.delete_tag(request.app.state.db, model_id, tag_key)
    return empty()


@router.post("/{model_id}/params")
@accepts(LogLoggedModelParams)
@requires(logged_model("EDIT"))
async def log_logged_model_params(request: Request, model_id: str) -> JSONResponse:
    body = await parse_request(request, LogLoggedModelParams)
    params = [(p.key, p.value) for p in body.params]
    await service.log_params(request.app.state.db, model_id, params)
    return empty()


@router.get("/{model_id}/artifacts/directories")
@accepts(ListLoggedModelArtifacts)
@requires(logged_model("READ"))
async def list_logged_model_artifacts(request: Request, model_id: str) -> JSONResponse:
    body = await parse_request(request, ListLoggedModelArtifacts)
    state = request.app.state
    model = await service.require(state.db, model_id)
    listing = await list_under(state.store, model.artifact_location, body.artifact_directory_path)
    return JSONResponse(listing)
