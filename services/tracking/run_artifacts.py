"""`GET /api/2.0/mlflow/artifacts/list`: a run's artifacts, read from the shared store."""

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from services.core.db.engine import Connection
from services.core.http import JSONResponse, parse_request
from services.core.storage.base import ArtifactStore
from services.tracking.logged_models.service import store_path
from services.tracking.runs import service as runs
from services.tracking.runs.schemas import RunRef

router = APIRouter(tags=["artifacts"])


class ListArtifacts(RunRef):
    path: str | None = None
    page_token: str | None = None


async def list_run_artifacts(
    conn: Connection, store: ArtifactStore, request: ListArtifacts
) -> dict[str, Any]:
    run = await runs.require(conn, request.run_id)
    root = store_path(run.artifact_uri, None)
    entries = await store.list(store_path(run.artifact_uri, request.path))
    response: dict[str, Any] = {"root_uri": run.artifact_uri}
    files = [{**e.render(), "path": e.path[len(root) + 1 :]} for e in entries]
    if files:
        response["files"] = files
    return response


@router.get("/api/2.0/mlflow/artifacts/list")
async def list_artifacts(request: Request) -> JSONResponse:
    body = await parse_request(request, ListArtifacts)
    state = request.app.state
    return JSONResponse(await state.db.run(list_run_artifacts, state.store, body))
