"""Translate an experiments filter and order_by into SQL."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_

from services.core.db.tables.tracking import experiment_tags, experiments
from services.core.errors import InvalidParameterValue
from services.core.search_filter import Comparison, parse_filter
from services.core.search_sql import (
    RowTest,
    attribute_comparison,
    attribute_order,
    compare_string,
    where_clauses,
)

STRING_ATTRIBUTES = {"name": experiments.c.name}
NUMERIC_ATTRIBUTES = {
    "creation_time": experiments.c.creation_time,
    "last_update_time": experiments.c.last_update_time,
}
FILTERABLE_ATTRIBUTES = f"'{sorted([*STRING_ATTRIBUTES, *NUMERIC_ATTRIBUTES])}'"
ORDERABLE = {
    "name": experiments.c.name,
    "experiment_id": experiments.c.experiment_id,
    "creation_time": experiments.c.creation_time,
    "last_update_time": experiments.c.last_update_time,
}


def _part(comparison: Comparison) -> ColumnElement[bool] | RowTest:
    if comparison.type == "attribute":
        return attribute_comparison(
            comparison, STRING_ATTRIBUTES, NUMERIC_ATTRIBUTES, FILTERABLE_ATTRIBUTES
        )
    if comparison.type == "tag":
        tag = experiment_tags.c
        has_key = tag.key == comparison.key
        if comparison.comparator in ("IS NULL", "IS NOT NULL"):
            return RowTest(
                experiment_tags, tag.experiment_id, has_key, comparison.comparator == "IS NULL"
            )
        value = compare_string(tag.value, comparison)
        return RowTest(experiment_tags, tag.experiment_id, and_(has_key, value))
    raise InvalidParameterValue(
        f"Invalid entity type '{comparison.type}'. Valid values are ['attribute', 'tag']"
    )


def filter_clauses(text: str | None) -> list[ColumnElement[bool]]:
    parts = (_part(comparison) for comparison in parse_filter(text))
    return where_clauses(experiments.c.experiment_id, parts)


def _unknown_order_key(text: str, columns: Mapping[str, Any]) -> str:
    return f"Invalid order_by clause '{text}'. Only {sorted(columns)} are supported."


def order_clauses(order_by: list[str]) -> list[ColumnElement[Any]]:
    clauses, seen = attribute_order(order_by, ORDERABLE, _unknown_order_key)
    if "creation_time" not in seen:
        clauses.append(experiments.c.creation_time.desc())
    clauses.append(experiments.c.experiment_id.asc())
    return clauses
