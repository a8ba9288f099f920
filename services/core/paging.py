"""Opaque page tokens. Like MLflow's, they encode an offset; the format is ours to change."""

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson

from services.core.errors import InvalidParameterValue


def encode_page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"offset": offset})).decode()


def decode_page_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = orjson.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
        offset = int(offset)
    except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise InvalidParameterValue(f"Invalid page token '{token}'.") from None
    if offset < 0:
        raise InvalidParameterValue(f"Invalid page token '{token}'.")
    return offset


T = TypeVar("T")


async def paged(
    page_token: str | None,
    max_results: int,
    fetch: Callable[[int, int], Awaitable[list[T]]],
) -> tuple[list[T], str | None]:
    """One page of an offset-paged search: fetch(offset, limit) is asked for one row more
    than the page, which tells whether another page exists."""
    offset = decode_page_token(page_token)
    rows = await fetch(offset, max_results + 1)
    return rows[:max_results], next_page_token(offset, max_results, len(rows))


def with_token(response: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token:
        response["next_page_token"] = token
    return response


def next_page_token(offset: int, page_size: int, fetched: int) -> str | None:
    """Callers fetch page_size + 1 rows; a full extra row means another page exists."""
    return encode_page_token(offset + page_size) if fetched > page_size else None


def encode_cursor(position: tuple[int, int, float]) -> str:
    """A keyset page token: the last (timestamp, step, value) returned. Non-finite values
    travel as strings, since JSON has no NaN."""
    timestamp, step, value = position
    shown = value if value == value and abs(value) != float("inf") else repr(value)
    return base64.urlsafe_b64encode(orjson.dumps({"after": [timestamp, step, shown]})).decode()


def decode_cursor(token: str | None) -> tuple[int, int, float] | None:
    if not token:
        return None
    try:
        timestamp, step, value = orjson.loads(base64.urlsafe_b64decode(token.encode()))["after"]
        return int(timestamp), int(step), float(value)
    except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise InvalidParameterValue(f"Invalid page token '{token}'.") from None
