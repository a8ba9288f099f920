from fastapi import APIRouter
from starlette.requests import Request

from services.core.auth.policy import model, requires
from services.core.auth.principal import caller_of
from services.core.http import JSONResponse, accepts, parse_request
from services.registry.caller_role import service
from services.registry.models.schemas import ModelName

router = APIRouter(prefix="/api/2.0/grimoire/registered-models", tags=["registered-models"])


@router.get("/my-role")
@accepts(ModelName)
@requires(model("READ"))
async def my_role(request: Request) -> JSONResponse:
    """`{"name", "role"}`: the caller's role on the model (READ, EDIT, MANAGE or ADMIN)."""
    body = await parse_request(request, ModelName)
    state = request.app.state
    role = await service.caller_role(state.db, body.name, caller_of(request), state.access_cache)
    return JSONResponse({"name": body.name, "role": role})
