"""Request parsing and JSON responses in MLflow's wire format.

MLflow's REST API is protobuf rendered as JSON: GET requests carry the message as query
parameters, POST/PATCH/DELETE as a JSON body; int64 fields are numbers, enums are names and
non-finite doubles are the strings "NaN", "Infinity", "-Infinity". Unknown fields are ignored
(as MLflow's own parser does), missing required ones are INVALID_PARAMETER_VALUE.
"""

import math
from typing import Any, TypeVar, get_args, get_origin

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from services.core.errors import InvalidParameterValue

M = TypeVar("M", bound=BaseModel)


class MlflowMessage(BaseModel):
    """Base for request schemas: unknown fields ignored, as MLflow does."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def empty() -> JSONResponse:
    return JSONResponse({})


def json_double(value: float) -> float | str:
    """Render a double as protobuf JSON does: finite numbers plain, the rest as strings."""
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _validation_error(error: ValidationError) -> InvalidParameterValue:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "request"
    if first["type"] == "missing":
        return InvalidParameterValue(
            f"Missing value for required parameter '{field}'. See the API docs for more "
            "information about request parameters."
        )
    return InvalidParameterValue(
        f"Invalid value {first.get('input')!r} for parameter '{field}' supplied: {first['msg']}"
    )


def validate(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _validation_error(error) from None


async def parse_body(request: Request, model: type[M]) -> M:
    body = await request.body()
    if not body.strip():
        return validate(model, {})
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        if error.errors()[0]["type"] == "json_invalid":
            raise InvalidParameterValue("Malformed JSON in request body.") from None
        raise _validation_error(error) from None


def _is_list_field(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        return True
    return any(get_origin(arg) is list for arg in get_args(annotation))


def parse_query(request: Request, model: type[M]) -> M:
    data: dict[str, Any] = {}
    fields = model.model_fields
    for key, value in request.query_params.multi_items():
        field = fields.get(key)
        if field is not None and _is_list_field(field.annotation):
            data.setdefault(key, []).append(value)
        else:
            data[key] = value
    return validate(model, data)


async def parse_request(request: Request, model: type[M]) -> M:
    """GET carries the message in the query string; every other method in the body."""
    if request.method == "GET":
        return parse_query(request, model)
    return await parse_body(request, model)
