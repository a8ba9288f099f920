"""Request parsing and JSON responses in MLflow's wire format.

MLflow's REST API is protobuf rendered as JSON: GET requests carry the message as query
parameters, POST/PATCH/DELETE as a JSON body; int64 fields are numbers, enums are names and
non-finite doubles are the strings "NaN", "Infinity", "-Infinity". Unknown fields are ignored
(as MLflow's own parser does), missing required ones are INVALID_PARAMETER_VALUE.
"""

import json
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, get_args, get_origin

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Send

from services.core.errors import GrimoireError, InvalidParameterValue, UnsupportedMediaType
from services.core.fields import contains_nul

M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=Callable[..., Any])
JSON_MEDIA_TYPE = "application/json"


class MlflowMessage(BaseModel):
    """Base for request schemas: unknown fields ignored, as MLflow does."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class KeyValue(MlflowMessage):
    """A tag or param as every MLflow message carries them."""

    key: str
    value: str = ""


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


async def send_error(send: Send, error: GrimoireError) -> None:
    """MLflow's error body straight onto the ASGI channel, for middleware that answers before
    (or instead of) the app; endpoints raise and the app's handler renders the same."""
    body = orjson.dumps(error.body())
    headers = [
        (b"content-type", JSON_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in error.headers.items()),
    ]
    await send({"type": "http.response.start", "status": error.http_status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ResponseWatch:
    """Passes a response on and notes the status it started with (None: not started), for
    the middleware that report on responses or must know whether one began."""

    __slots__ = ("_send", "_extra_headers", "status")

    def __init__(self, send: Send, extra_headers: tuple[tuple[bytes, bytes], ...] = ()):
        self._send, self._extra_headers = send, extra_headers
        self.status: int | None = None

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            if self._extra_headers:
                headers = [*message.get("headers", ()), *self._extra_headers]
                message = {**message, "headers": headers}
        await self._send(message)


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


# Where a request's parsed message is kept for the endpoint: the guard parses each request
# once, authorizes that message, and the endpoint executes the very same object.
MESSAGE_STATE = "grimoire_message"
MESSAGE_ATTRIBUTE = "grimoire_message_model"


def accepts(model: type[BaseModel]) -> Callable[[E], E]:
    """Declare the message an endpoint executes, so the guard can parse and authorize it
    before the endpoint runs (and OpenAPI can describe it)."""

    def declare(endpoint: E) -> E:
        setattr(endpoint, MESSAGE_ATTRIBUTE, model)
        return endpoint

    return declare


def declared_message(endpoint: Any) -> type[BaseModel] | None:
    return getattr(endpoint, MESSAGE_ATTRIBUTE, None)


def _refuse_nul(body: bytes) -> None:
    """U+0000 anywhere in the body, in a field we read or not: the walk runs only when the
    raw text could hold one (an escape), so the hot path pays one scan. (The standard
    library's parser, as it reads NaN and Infinity like the model's does and orjson does
    not.)"""
    if b"\\u0000" in body and contains_nul(json.loads(body)):
        raise InvalidParameterValue("Values may not contain the NUL character (U+0000).")


def _media_type(content_type: str) -> str:
    return content_type.partition(";")[0].strip().lower()


def parse_json_message(model: type[M], body: bytes, content_type: str | None) -> M:
    """A POST/PATCH/DELETE message: a JSON object, sent as application/json (the mlflow
    client always is). Anything else is refused rather than guessed at."""
    if not body.strip():
        return validate(model, {})
    if content_type is None or _media_type(content_type) != JSON_MEDIA_TYPE:
        raise UnsupportedMediaType(
            f"Content-Type must be {JSON_MEDIA_TYPE}; got {content_type or 'none'}."
        )
    if body.lstrip()[:1] != b"{":
        raise InvalidParameterValue("The request body must be a JSON object.")
    try:
        message = model.model_validate_json(body)
    except ValidationError as error:
        if error.errors()[0]["type"] == "json_invalid":
            raise InvalidParameterValue("Malformed JSON in request body.") from None
        raise _validation_error(error) from None
    _refuse_nul(body)
    return message


def _is_list_field(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        return True
    return any(get_origin(arg) is list for arg in get_args(annotation))


def parse_query_message(model: type[M], items: Sequence[tuple[str, str]]) -> M:
    """A GET message from its query string. A singular field given twice is refused: which
    value counts would be a guess, and two readers guessing differently is a bypass."""
    data: dict[str, Any] = {}
    fields = model.model_fields
    has_nul = False
    for key, value in items:
        has_nul = has_nul or "\x00" in value or "\x00" in key
        field = fields.get(key)
        if field is not None and _is_list_field(field.annotation):
            data.setdefault(key, []).append(value)
        elif key in data:
            raise InvalidParameterValue(f"Parameter '{key}' is given more than once.")
        else:
            data[key] = value
    if has_nul:
        raise InvalidParameterValue("Values may not contain the NUL character (U+0000).")
    return validate(model, data)


def parse_message(
    model: type[M],
    method: str,
    query: Sequence[tuple[str, str]],
    body: bytes,
    content_type: str | None,
) -> M:
    """GET carries the message in the query string; every other method in the body."""
    if method == "GET":
        return parse_query_message(model, query)
    return parse_json_message(model, body, content_type)


async def parse_request(request: Request, model: type[M]) -> M:
    """The request's message: the one the guard parsed and authorized, or (auth off) parsed
    here by the same function. The endpoint must have declared it with `accepts`: a route
    that executes a message the guard never saw would be a way around it."""
    declared = declared_message(request.scope.get("endpoint"))
    if declared is not model:
        raise TypeError(
            f"{request.url.path} reads {model.__name__} but declares "
            f"{getattr(declared, '__name__', 'no message')}; decorate it with accepts()"
        )
    parsed = request.scope.get("state", {}).get(MESSAGE_STATE)
    if parsed is not None:
        return parsed  # type: ignore[no-any-return]
    body = b"" if request.method == "GET" else await request.body()
    return parse_message(
        model,
        request.method,
        request.query_params.multi_items(),
        body,
        request.headers.get("content-type"),
    )
