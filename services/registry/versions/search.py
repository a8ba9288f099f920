"""Filter and order_by for model version searches."""

from typing import Any

from sqlalchemy import ColumnElement

from services.core.db.tables.registry import model_version_tags, model_versions, registered_models
from services.core.search_filter import parse_filter
from services.core.search_sql import attribute_order, compare_numeric, compare_string
from services.registry.tag_filter import tag_clause, unknown_key, unknown_order_key

rm, mv = registered_models.c, model_versions.c
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
            clauses.append(tag_clause(model_version_tags, owner, comparison))
        elif comparison.type == "attribute" and comparison.key in VERSION_STRING_ATTRIBUTES:
            clauses.append(compare_string(VERSION_STRING_ATTRIBUTES[comparison.key], comparison))
        elif comparison.type == "attribute" and comparison.key in VERSION_NUMERIC_ATTRIBUTES:
            clauses.append(compare_numeric(VERSION_NUMERIC_ATTRIBUTES[comparison.key], comparison))
        else:
            raise unknown_key(
                comparison,
                sorted([*VERSION_STRING_ATTRIBUTES, *VERSION_NUMERIC_ATTRIBUTES, "tags.<key>"]),
            )
    return clauses


VERSION_ORDER = {"name": rm.name, **VERSION_NUMERIC_ATTRIBUTES, "version": mv.version}


def version_order(order_by: list[str]) -> list[Any]:
    clauses, _ = attribute_order(order_by, VERSION_ORDER, unknown_order_key)
    return [*clauses, rm.name.asc(), mv.version.desc()]
