"""A run as MLflow's Run message, and the responses that carry runs.

The shapes are named after MLflow's protos (service.proto); a field MLflow omits when it is
empty is NotRequired, and the renderers below leave it out exactly then.
"""

from operator import itemgetter
from typing import Any, NotRequired, TypedDict

from services.core.db.tables.tracking import runs
from services.core.http import json_double
from services.core.paging import Page


class Metric(TypedDict):
    key: str
    value: float | str  # protobuf JSON spells NaN and the infinities as strings
    timestamp: int
    step: int
    dataset_name: NotRequired[str]
    dataset_digest: NotRequired[str]
    model_id: NotRequired[str]
    run_id: NotRequired[str]


class Param(TypedDict):
    key: str
    value: str


class RunTag(TypedDict):
    key: str
    value: str


class InputTag(TypedDict):
    key: str
    value: str


class Dataset(TypedDict):
    name: str
    digest: str
    source_type: str
    source: str
    schema: NotRequired[str]
    profile: NotRequired[str]


class DatasetInput(TypedDict):
    tags: list[InputTag]
    dataset: Dataset


class ModelInput(TypedDict):
    model_id: str


class ModelOutput(TypedDict):
    model_id: str
    step: int


class RunInfo(TypedDict):
    run_id: str
    run_uuid: str
    run_name: str
    experiment_id: str
    user_id: str
    status: str
    start_time: int
    end_time: NotRequired[int]
    artifact_uri: str
    lifecycle_stage: str


class RunData(TypedDict):
    metrics: list[Metric]
    params: list[Param]
    tags: list[RunTag]


class RunInputs(TypedDict):
    dataset_inputs: list[DatasetInput]
    model_inputs: list[ModelInput]


class RunOutputs(TypedDict):
    model_outputs: NotRequired[list[ModelOutput]]


class RunContents(TypedDict):
    """A Run without its info: what runs/page_repository.py loads for a page of runs."""

    data: RunData
    inputs: RunInputs
    outputs: RunOutputs


class Run(TypedDict):
    info: RunInfo
    data: RunData
    inputs: RunInputs
    outputs: RunOutputs


class CreateRunResponse(TypedDict):
    run: Run


class GetRunResponse(TypedDict):
    run: Run


class UpdateRunResponse(TypedDict):
    run_info: RunInfo


class SearchRunsResponse(TypedDict):
    runs: list[Run]
    next_page_token: NotRequired[str]


def render_metric(key: str, value: float, timestamp: int, step: int) -> Metric:
    return {"key": key, "value": json_double(value), "timestamp": timestamp, "step": step}


# RunInfo's columns read from a `select(runs)` row by position: reading a Row by attribute
# resolves the name on every access, a noticeable share of a search's server time, while by
# position it is a tuple lookup (figures: docs/benchmarks.md, "Why the code is shaped this way").
_INFO_COLUMNS = (
    "run_uuid",
    "name",
    "experiment_id",
    "user_id",
    "status",
    "start_time",
    "end_time",
    "artifact_uri",
    "lifecycle_stage",
)
_info_values = itemgetter(*(list(runs.columns.keys()).index(name) for name in _INFO_COLUMNS))


def render_run_info(row: Any) -> RunInfo:
    """A full `select(runs)` row as MLflow's RunInfo."""
    run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, stage = (
        _info_values(row)
    )
    info: RunInfo = {
        "run_id": run_uuid,
        "run_uuid": run_uuid,
        "run_name": name,
        "experiment_id": str(experiment_id),
        "user_id": user_id,
        "status": status,
        "start_time": start_time,
        "artifact_uri": artifact_uri,
        "lifecycle_stage": stage,
    }
    if end_time is not None:
        info["end_time"] = end_time
    return info


def render_run(info: RunInfo, contents: RunContents) -> Run:
    return {
        "info": info,
        "data": contents["data"],
        "inputs": contents["inputs"],
        "outputs": contents["outputs"],
    }


def search_runs_response(page: Page[Run]) -> SearchRunsResponse:
    response: SearchRunsResponse = {"runs": page.items}
    if page.next_page_token:
        response["next_page_token"] = page.next_page_token
    return response
