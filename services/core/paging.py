"""Opaque page tokens. Like MLflow's, they encode an offset; the format is ours to change."""

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Generic, NamedTuple, Protocol, TypeVar

import orjson

from services.core.errors import InvalidParameterValue
from services.core.fields import INT64_MAX, INT64_MIN

# A token is the client's to send back, so a forged or garbled one is only bad input: every
# decoded number is checked to be what the query takes (an int64; PostgreSQL would refuse the
# statement otherwise, a 500).


def _invalid(token: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"Invalid page token '{token}'.")


def _decoded(token: str, field: str) -> object:
    try:
        content = orjson.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError):  # orjson.JSONDecodeError is a ValueError
        raise _invalid(token) from None
    if not isinstance(content, dict) or field not in content:
        raise _invalid(token)
    return content[field]


def _int64(value: object, token: str, low: int = INT64_MIN) -> int:
    if type(value) is not int or not low <= value <= INT64_MAX:
        raise _invalid(token)
    return value


def encode_page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"offset": offset})).decode()


def decode_page_token(token: str | None) -> int:
    if not token:
        return 0
    return _int64(_decoded(token, "offset"), token, low=0)


T = TypeVar("T")
R = TypeVar("R")


class PageRequest(Protocol):
    page_token: str | None
    max_results: int


class Page(NamedTuple, Generic[R]):
    """One page of rendered items; each resource's render.py turns it into the MLflow
    response that names the list (`runs`, `experiments`, ...)."""

    items: list[R]
    next_page_token: str | None


async def search_page(
    request: PageRequest,
    fetch: Callable[[int, int], Awaitable[list[T]]],
    render: Callable[[list[T]], Awaitable[list[R]]],
) -> Page[R]:
    """One page of an offset-paged search, with a next_page_token when more rows exist.
    fetch(offset, limit) is asked for one row more than the page, which tells whether another
    page exists."""
    offset = decode_page_token(request.page_token)
    rows = await fetch(offset, request.max_results + 1)
    items = await render(rows[: request.max_results])
    return Page(items, next_page_token(offset, request.max_results, len(rows)))


def next_page_token(offset: int, page_size: int, fetched: int) -> str | None:
    """Callers fetch page_size + 1 rows; a full extra row means another page exists."""
    return encode_page_token(offset + page_size) if fetched > page_size else None


def encode_cursor(position: tuple[int, int, float]) -> str:
    """A keyset page token: the last (timestamp, step, value) returned. Non-finite values
    travel as strings, since JSON has no NaN."""
    timestamp, step, value = position
    shown = value if value == value and abs(value) != float("inf") else repr(value)
    return base64.urlsafe_b64encode(orjson.dumps({"after": [timestamp, step, shown]})).decode()


_NON_FINITE = {repr(v): v for v in (float("nan"), float("inf"), float("-inf"))}


def decode_cursor(token: str | None) -> tuple[int, int, float] | None:
    if not token:
        return None
    position = _decoded(token, "after")
    if not isinstance(position, list) or len(position) != 3:
        raise _invalid(token)
    timestamp, step, value = position
    if isinstance(value, str):
        value = _NON_FINITE.get(value)
    # orjson reads integers of 64 bits at most, so float() of one never overflows.
    if type(value) not in (int, float):
        raise _invalid(token)
    return _int64(timestamp, token), _int64(step, token), float(value)
