"""Filters and order_by for registered model and model version searches."""

from typing import Any

from sqlalchemy import ColumnElement, exists, select

from services.core.db.tables.registry import (
    model_version_tags,
    model_versions,
    registered_model_tags,
    registered_models,
)
from services.core.errors import InvalidParameterValue
from services.core.search_filter import Comparison, parse_filter, parse_order_by
from services.core.search_sql import compare_numeric, compare_string

rm, mv = registered_models.c, model_versions.c
NAME_COMPARATORS = {"=", "!=", "LIKE", "ILIKE"}
TAG_COMPARATORS = {"=", "!=", "LIKE", "ILIKE"}


def _tag_clause(table: Any, owner: list[ColumnElement[bool]], comparison: Comparison) -> Any:
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


def _unknown(comparison: Comparison, valid: list[str]) -> InvalidParameterValue:
    return InvalidParameterValue(
        f"Invalid attribute key '{comparison.key}' specified. Valid keys are {valid}"
    )


def model_filter(text: str | None) -> list[ColumnElement[bool]]:
    clauses = []
    for comparison in parse_filter(text):
        if comparison.type == "tag":
            owner = [registered_model_tags.c.model_id == rm.id]
            clauses.append(_tag_clause(registered_model_tags, owner, comparison))
        elif comparison.type == "attribute" and comparison.key == "name":
            clauses.append(compare_string(rm.name, comparison, NAME_COMPARATORS))
        else:
            raise _unknown(comparison, ["name", "tags.<key>"])
    return clauses


MODEL_ORDER = {
    "name": rm.name,
    "timestamp": rm.creation_timestamp,
    "creation_timestamp": rm.creation_timestamp,
    "last_updated_timestamp": rm.last_updated_timestamp,
}


def _order(order_by: list[str], columns: dict[str, Any]) -> list[Any]:
    clauses, seen = [], set()
    for text in order_by:
        parsed = parse_order_by(text)
        column = columns.get(parsed.key) if parsed.type == "attribute" else None
        if column is None:
            raise InvalidParameterValue(
                f"Invalid order_by key '{text}'. Valid keys are {sorted(columns)}."
            )
        if parsed.key in seen:
            raise InvalidParameterValue(f"`order_by` contains duplicate fields: {order_by}")
        seen.add(parsed.key)
        clauses.append(column.asc() if parsed.ascending else column.desc())
    return clauses


def model_order(order_by: list[str]) -> list[Any]:
    return [*_order(order_by, MODEL_ORDER), rm.name.asc()]


VERSION_STRING_ATTRIBUTES = {
    "name": rm.name,
    "run_id": mv.run_id,
    "source_path": mv.source,
    "source": mv.source,
    "current_stage": mv.current_stage,
    "model_id": mv.logged_model_id,
}
VERSION_NUMERIC_ATTRIBUTES = {
    "version_number": mv.version,
    "creation_timestamp": mv.creation_timestamp,
    "last_updated_timestamp": mv.last_updated_timestamp,
}


def version_filter(text: str | None) -> list[ColumnElement[bool]]:
    clauses = []
    for comparison in parse_filter(text):
        if comparison.type == "tag":
            owner = [
                model_version_tags.c.model_id == mv.model_id,
                model_version_tags.c.version == mv.version,
            ]
            clauses.append(_tag_clause(model_version_tags, owner, comparison))
        elif comparison.type == "attribute" and comparison.key in VERSION_STRING_ATTRIBUTES:
            clauses.append(compare_string(VERSION_STRING_ATTRIBUTES[comparison.key], comparison))
        elif comparison.type == "attribute" and comparison.key in VERSION_NUMERIC_ATTRIBUTES:
            clauses.append(compare_numeric(VERSION_NUMERIC_ATTRIBUTES[comparison.key], comparison))
        else:
            raise _unknown(
                comparison,
                sorted([*VERSION_STRING_ATTRIBUTES, *VERSION_NUMERIC_ATTRIBUTES, "tags.<key>"]),
            )
    return clauses


VERSION_ORDER = {"name": rm.name, **VERSION_NUMERIC_ATTRIBUTES, "version": mv.version}


def version_order(order_by: list[str]) -> list[Any]:
    return [*_order(order_by, VERSION_ORDER), rm.name.asc(), mv.version.desc()]
