"""Translate an experiments filter and order_by into SQL."""

from typing import Any

from sqlalchemy import ColumnElement, exists, select

from services.core.db.tables.tracking import experiment_tags, experiments
from services.core.errors import InvalidParameterValue
from services.core.search_filter import Comparison, parse_filter, parse_order_by
from services.core.search_sql import compare_numeric, compare_string

STRING_ATTRIBUTES = {"name": experiments.c.name}
NUMERIC_ATTRIBUTES = {
    "creation_time": experiments.c.creation_time,
    "last_update_time": experiments.c.last_update_time,
}
ORDERABLE = {
    "name": experiments.c.name,
    "experiment_id": experiments.c.experiment_id,
    "creation_time": experiments.c.creation_time,
    "last_update_time": experiments.c.last_update_time,
}


def _clause(comparison: Comparison) -> ColumnElement[bool]:
    if comparison.type == "attribute":
        if comparison.key in STRING_ATTRIBUTES:
            return compare_string(STRING_ATTRIBUTES[comparison.key], comparison)
        if comparison.key in NUMERIC_ATTRIBUTES:
            return compare_numeric(NUMERIC_ATTRIBUTES[comparison.key], comparison)
        raise InvalidParameterValue(
            f"Invalid attribute key '{comparison.key}' specified. Valid keys are "
            f"'{sorted([*STRING_ATTRIBUTES, *NUMERIC_ATTRIBUTES])}'"
        )
    if comparison.type == "tag":
        tag = experiment_tags.c
        match = select(1).where(
            tag.experiment_id == experiments.c.experiment_id, tag.key == comparison.key
        )
        if comparison.comparator == "IS NULL":
            return ~exists(match)
        if comparison.comparator == "IS NOT NULL":
            return exists(match)
        return exists(match.where(compare_string(tag.value, comparison)))
    raise InvalidParameterValue(
        f"Invalid entity type '{comparison.type}'. Valid values are ['attribute', 'tag']"
    )


def filter_clauses(text: str | None) -> list[ColumnElement[bool]]:
    return [_clause(comparison) for comparison in parse_filter(text)]


def order_clauses(order_by: list[str]) -> list[ColumnElement[Any]]:
    clauses: list[ColumnElement[Any]] = []
    seen: set[str] = set()
    for text in order_by:
        parsed = parse_order_by(text)
        column = ORDERABLE.get(parsed.key) if parsed.type == "attribute" else None
        if column is None:
            raise InvalidParameterValue(
                f"Invalid order_by clause '{text}'. Only {sorted(ORDERABLE)} are supported."
            )
        if parsed.key in seen:
            raise InvalidParameterValue(f"`order_by` contains duplicate fields: {order_by}")
        seen.add(parsed.key)
        clauses.append(column.asc() if parsed.ascending else column.desc())
    if "creation_time" not in seen:
        clauses.append(experiments.c.creation_time.desc())
    clauses.append(experiments.c.experiment_id.asc())
    return clauses
