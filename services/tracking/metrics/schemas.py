from services.core.fields import Int32, Int64, RunId
from services.core.http import MlflowMessage
from services.tracking.runs.schemas import RunRef


class GetMetricHistory(RunRef):
    metric_key: str
    max_results: Int32 | None = None
    page_token: str | None = None


class GetMetricHistoryBulkInterval(MlflowMessage):
    run_ids: list[RunId] = []
    metric_key: str
    start_step: Int64 | None = None
    end_step: Int64 | None = None
    max_results: Int32 | None = None
