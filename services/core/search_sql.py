"""Comparators shared by every search translator."""

from typing import Any

from sqlalchemy import ColumnElement, literal

from services.core.errors import InvalidParameterValue
from services.core.search_filter import Comparison

STRING_COMPARATORS = {"=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"}
NUMERIC_COMPARATORS = {"=", "!=", "<", "<=", ">", ">="}


def _expect_string(comparison: Comparison) -> str:
    if not isinstance(comparison.value, str):
        raise InvalidParameterValue(
            f"Expected a quoted string value for {comparison.type} '{comparison.key}' "
            f"(e.g. 'my-value'). Got value {comparison.value}"
        )
    return comparison.value


def compare_string(
    column: ColumnElement[Any], comparison: Comparison, allowed: set[str] = STRING_COMPARATORS
) -> ColumnElement[bool]:
    op = comparison.comparator
    if op not in allowed:
        raise InvalidParameterValue(
            f"Invalid comparator '{op}' not one of '{sorted(allowed)}' for "
            f"{comparison.type} '{comparison.key}'"
        )
    if op in ("IN", "NOT IN"):
        if not isinstance(comparison.value, list):
            raise InvalidParameterValue(
                f"Expected a list of quoted strings after {op} for '{comparison.key}'."
            )
        return column.in_(comparison.value) if op == "IN" else column.not_in(comparison.value)
    value = _expect_string(comparison)
    if op == "=":
        return column == value
    if op == "!=":
        return column != value
    if op == "LIKE":
        return column.like(value)
    return column.ilike(value)


def numeric_value(comparison: Comparison) -> float | int:
    if isinstance(comparison.value, bool) or not isinstance(comparison.value, int | float):
        raise InvalidParameterValue(
            f"Expected numeric value type for {comparison.type} '{comparison.key}'. "
            f"Found {comparison.value!r}"
        )
    return comparison.value


def compare_numeric(column: ColumnElement[Any], comparison: Comparison) -> ColumnElement[bool]:
    op = comparison.comparator
    if op not in NUMERIC_COMPARATORS:
        raise InvalidParameterValue(
            f"Invalid comparator '{op}' not one of '{sorted(NUMERIC_COMPARATORS)}' for "
            f"{comparison.type} '{comparison.key}'"
        )
    return column.op(op)(literal(numeric_value(comparison)))
