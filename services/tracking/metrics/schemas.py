from pydantic import Field

from services.core.http import MlflowMessage
from services.tracking.runs.schemas import RunRef


class GetMetricHistory(RunRef):
    metric_key: str
    max_results: int | None = None
    page_token: str | None = None


class GetMetricHistoryBulkInterval(MlflowMessage):
    run_ids: list[str] = []
    metric_key: str
    start_step: int | None = None
    end_step: int | None = None
    max_results: int = Field(default=100)
