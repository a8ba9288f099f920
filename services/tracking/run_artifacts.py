"""`GET /api/2.0/mlflow/artifacts/list`: a run's artifacts, read from the shared store."""

from fastapi import APIRouter
from starlette.requests import Request

from services.core.auth.policy import requires, run
from services.core.http import JSONResponse, accepts, parse_request
from services.tracking.artifact_listing import list_under
from services.tracking.runs import service as runs
from services.tracking.runs.schemas import RunRef

router = APIRouter(tags=["artifacts"])


class ListArtifacts(RunRef):
    path: str | None = None
    page_token: str | None = None


@router.get("/api/2.0/mlflow/artifacts/list")
@accepts(ListArtifacts)
@requires(run("READ"))
async def list_artifacts(request: Request) -> JSONResponse:
    body = await parse_request(request, ListArtifacts)
    state = request.app.state
    run = await runs.require(state.db, body.resolved_run_id)
    return JSONResponse(await list_under(state.store, run.artifact_uri, body.path))
