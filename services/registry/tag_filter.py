"""Filter pieces both registry searches share: tag comparisons and the unknown-key error."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, exists, select

from services.core.errors import InvalidParameterValue
from services.core.search_filter import Comparison
from services.core.search_sql import compare_string

TAG_COMPARATORS = {"=", "!=", "LIKE", "ILIKE"}


def tag_clause(table: Any, owner: list[ColumnElement[bool]], comparison: Comparison) -> Any:
    match = select(1).where(*owner, table.c.key == comparison.key)
    if comparison.comparator == "IS NULL":
        return ~exists(match)
    if comparison.comparator == "IS NOT NULL":
        return exists(match)
    if comparison.comparator == "!=":
        # Registry semantics (unlike runs): a model without the tag is "not equal" too. The
        # client relies on it, adding ``tag.`mlflow.prompt.is_prompt` != 'true'`` to searches.
        return ~exists(match.where(table.c.value == comparison.value))
    return exists(match.where(compare_string(table.c.value, comparison, TAG_COMPARATORS)))


def unknown_key(comparison: Comparison, valid: list[str]) -> InvalidParameterValue:
    return InvalidParameterValue(
        f"Invalid attribute key '{comparison.key}' specified. Valid keys are {valid}"
    )


def unknown_order_key(text: str, columns: Mapping[str, Any]) -> str:
    return f"Invalid order_by key '{text}'. Valid keys are {sorted(columns)}."
