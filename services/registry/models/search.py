"""Filter and order_by for registered model searches."""

from typing import Any

from sqlalchemy import ColumnElement

from services.core.db.tables.registry import registered_model_tags, registered_models
from services.core.search_filter import parse_filter
from services.core.search_sql import attribute_order, compare_string
from services.registry.tag_filter import tag_clause, unknown_key, unknown_order_key

rm = registered_models.c
NAME_COMPARATORS = {"=", "!=", "LIKE", "ILIKE"}


def model_filter(text: str | None) -> list[ColumnElement[bool]]:
    clauses = []
    for comparison in parse_filter(text):
        if comparison.type == "tag":
            owner = [registered_model_tags.c.model_id == rm.id]
            clauses.append(tag_clause(registered_model_tags, owner, comparison))
        elif comparison.type == "attribute" and comparison.key == "name":
            clauses.append(compare_string(rm.name, comparison, NAME_COMPARATORS))
        else:
            raise unknown_key(comparison, ["name", "tags.<key>"])
    return clauses


MODEL_ORDER = {
    "name": rm.name,
    "timestamp": rm.creation_timestamp,
    "creation_timestamp": rm.creation_timestamp,
    "last_updated_timestamp": rm.last_updated_timestamp,
}


def model_order(order_by: list[str]) -> list[Any]:
    clauses, _ = attribute_order(order_by, MODEL_ORDER, unknown_order_key)
    return [*clauses, rm.name.asc()]
