"""Field types of MLflow's wire messages, checked before anything else looks at them.

The guard authorizes the very message the endpoint executes (one parse), so an id must have
one spelling: `" 1"`, `"+1"`, `"0_1"` or `"١"` are not experiment 1, they are a 400. Numbers
are bounded by the column or protobuf type they end up in, so PostgreSQL never sees a value
it would refuse (that was a 500).
"""

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import BeforeValidator

INT32_MAX = 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

_DECIMAL = re.compile(r"-?[0-9]+")
_EXPERIMENT_ID = re.compile(r"[0-9]+")
_RUN_ID = re.compile(r"[0-9a-f]{32}")


def _integer_in(low: int, high: int, what: str) -> Callable[[object], int]:
    def parse(value: object) -> int:
        # Protobuf JSON carries int64 as a number or a decimal string; an integral float
        # (1.0) is the same number. bool is an int subclass, never a number here.
        if isinstance(value, bool):
            raise ValueError(f"expected {what}, got a boolean")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(f"expected {what}, got {value!r}")
            value = int(value)
        elif isinstance(value, str):
            if _DECIMAL.fullmatch(value) is None:
                raise ValueError(f"expected {what}, got {value!r}")
            value = int(value)
        if not isinstance(value, int):
            raise ValueError(f"expected {what}")
        if not low <= value <= high:
            raise ValueError(f"{what} out of range [{low}, {high}]")
        return value

    return parse


Int64 = Annotated[int, BeforeValidator(_integer_in(INT64_MIN, INT64_MAX, "a 64-bit integer"))]
NonNegativeInt64 = Annotated[
    int, BeforeValidator(_integer_in(0, INT64_MAX, "a non-negative 64-bit integer"))
]
Int32 = Annotated[int, BeforeValidator(_integer_in(-(2**31), INT32_MAX, "a 32-bit integer"))]
PositiveInt32 = Annotated[
    int, BeforeValidator(_integer_in(1, INT32_MAX, "a positive 32-bit integer"))
]


def canonical_experiment_id(value: object) -> str:
    """`"12"` (or 12): digits only, within int64, without leading zeros."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or _EXPERIMENT_ID.fullmatch(value) is None:
        raise ValueError(f"experiment ids are decimal digits, got {value!r}")
    number = int(value)
    if number > INT64_MAX:
        raise ValueError("experiment id out of range")
    return str(number)


def canonical_run_id(value: object) -> str:
    if not isinstance(value, str) or _RUN_ID.fullmatch(value) is None:
        raise ValueError(f"run ids are 32 lowercase hex characters, got {value!r}")
    return value


ExperimentId = Annotated[str, BeforeValidator(canonical_experiment_id)]
RunId = Annotated[str, BeforeValidator(canonical_run_id)]


def contains_nul(value: object) -> bool:
    """Anywhere in a parsed message: PostgreSQL text cannot hold U+0000."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(contains_nul(item) for item in value)
    return False


_LOGGED_MODEL_ID = re.compile(r"m-[0-9a-f]{32}")


def canonical_logged_model_id(value: object) -> str:
    """`m-` and 32 lowercase hex, as the server makes them: the column holds 34 characters, so
    anything else could never name a model (and a longer one was a 500 on insert)."""
    if not isinstance(value, str) or _LOGGED_MODEL_ID.fullmatch(value) is None:
        raise ValueError(f"logged model ids are 'm-' and 32 lowercase hex, got {value!r}")
    return value


LoggedModelId = Annotated[str, BeforeValidator(canonical_logged_model_id)]
