from fastapi import APIRouter
from starlette.requests import Request

from services.core.actor import actor
from services.core.auth.policy import AUTHENTICATED, Rule, model, requires
from services.core.auth.principal import caller_of
from services.core.http import JSONResponse, accepts, empty, parse_request
from services.registry.models import service
from services.registry.models.render import (
    CreateRegisteredModelResponse,
    GetRegisteredModelResponse,
    RenameRegisteredModelResponse,
    UpdateRegisteredModelResponse,
)
from services.registry.models.schemas import (
    AliasRef,
    CreateRegisteredModel,
    DeleteRegisteredModelTag,
    GetLatestVersions,
    ModelName,
    RenameRegisteredModel,
    SearchRegisteredModels,
    SetAlias,
    SetRegisteredModelTag,
    UpdateRegisteredModel,
)
from services.registry.versions.render import (
    GetLatestVersionsResponse,
    GetModelVersionByAliasResponse,
)

router = APIRouter(prefix="/api/2.0/mlflow/registered-models", tags=["registered-models"])


@router.post("/create")
@accepts(CreateRegisteredModel)
@requires(Rule("new_registered_model", "EDIT", "name"))
async def create(request: Request) -> JSONResponse:
    body = await parse_request(request, CreateRegisteredModel)
    model = await service.create(request.app.state.db, body, actor(request), caller_of(request))
    return JSONResponse(CreateRegisteredModelResponse(registered_model=model))


@router.get("/get")
@accepts(ModelName)
@requires(model("READ"))
async def get(request: Request) -> JSONResponse:
    body = await parse_request(request, ModelName)
    model = await service.get(request.app.state.db, body.name)
    return JSONResponse(GetRegisteredModelResponse(registered_model=model))


@router.post("/rename")
@accepts(RenameRegisteredModel)
@requires(model("EDIT", "registered_model.rename"))
async def rename(request: Request) -> JSONResponse:
    body = await parse_request(request, RenameRegisteredModel)
    model = await service.rename(request.app.state.db, body.name, body.new_name)
    return JSONResponse(RenameRegisteredModelResponse(registered_model=model))


@router.patch("/update")
@accepts(UpdateRegisteredModel)
@requires(model("EDIT"))
async def update(request: Request) -> JSONResponse:
    body = await parse_request(request, UpdateRegisteredModel)
    model = await service.update_description(request.app.state.db, body.name, body.description)
    return JSONResponse(UpdateRegisteredModelResponse(registered_model=model))


@router.delete("/delete")
@accepts(ModelName)
@requires(model("MANAGE", "registered_model.delete"))
async def delete(request: Request) -> JSONResponse:
    body = await parse_request(request, ModelName)
    await service.delete(request.app.state.db, body.name)
    return empty()


@router.get("/search")
@accepts(SearchRegisteredModels)
@requires(AUTHENTICATED)
async def search(request: Request) -> JSONResponse:
    body = await parse_request(request, SearchRegisteredModels)
    return JSONResponse(await service.search_models(request.app.state.db, body, caller_of(request)))


@router.api_route("/get-latest-versions", methods=["GET", "POST"])
@accepts(GetLatestVersions)
@requires(model("READ"))
async def get_latest_versions(request: Request) -> JSONResponse:
    body = await parse_request(request, GetLatestVersions)
    versions = await service.latest_versions(request.app.state.db, body)
    return JSONResponse(GetLatestVersionsResponse(model_versions=versions))


@router.post("/set-tag")
@accepts(SetRegisteredModelTag)
@requires(model("EDIT"))
async def set_tag(request: Request) -> JSONResponse:
    body = await parse_request(request, SetRegisteredModelTag)
    await service.set_tag(request.app.state.db, body.name, body.key, body.value)
    return empty()


@router.delete("/delete-tag")
@accepts(DeleteRegisteredModelTag)
@requires(model("EDIT"))
async def delete_tag(request: Request) -> JSONResponse:
    body = await parse_request(request, DeleteRegisteredModelTag)
    await service.delete_tag(request.app.state.db, body.name, body.key)
    return empty()


@router.post("/alias")
@accepts(SetAlias)
@requires(model("EDIT", "alias.set"))
async def set_alias(request: Request) -> JSONResponse:
    body = await parse_request(request, SetAlias)
    await service.set_alias(request.app.state.db, body.name, body.alias, body.version)
    return empty()


@router.delete("/alias")
@accepts(AliasRef)
@requires(model("EDIT", "alias.delete"))
async def delete_alias(request: Request) -> JSONResponse:
    body = await parse_request(request, AliasRef)
    await service.delete_alias(request.app.state.db, body.name, body.alias)
    return empty()


@router.get("/alias")
@accepts(AliasRef)
@requires(model("READ"))
async def get_by_alias(request: Request) -> JSONResponse:
    body = await parse_request(request, AliasRef)
    version = await service.version_by_alias(request.app.state.db, body.name, body.alias)
    return JSONResponse(GetModelVersionByAliasResponse(model_version=version))
