from fastapi import APIRouter
from starlette.requests import Request

from services.core.auth.policy import Rule, requires, run
from services.core.http import JSONResponse, accepts, parse_request
from services.tracking.metrics import service
from services.tracking.metrics.schemas import GetMetricHistory, GetMetricHistoryBulkInterval

router = APIRouter(prefix="/api/2.0/mlflow/metrics", tags=["metrics"])


@router.get("/get-history")
@accepts(GetMetricHistory)
@requires(run("READ"))
async def get_metric_history(request: Request) -> JSONResponse:
    body = await parse_request(request, GetMetricHistory)
    # A transaction (not autocommit) so the history read can pin its plan with SET LOCAL.
    return JSONResponse(await service.history(request.app.state.db, body))


@router.get("/get-history-bulk-interval")
@accepts(GetMetricHistoryBulkInterval)
@requires(Rule("runs", "READ", "run_ids"))
async def get_metric_history_bulk_interval(request: Request) -> JSONResponse:
    body = await parse_request(request, GetMetricHistoryBulkInterval)
    # A transaction: the downsampling statement sizes its hash table with SET LOCAL.
    return JSONResponse(await service.history_bulk_interval(request.app.state.db, body))
