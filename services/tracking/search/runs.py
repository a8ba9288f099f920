"""Translate a runs filter and order_by into one SQL statement.

Filters on metrics/params/tags become EXISTS subqueries on their (run_uuid, key) primary
keys; sort keys become LEFT JOINs. Ordering follows MLflow: values first, then NaN, then
runs lacking the key, whatever the direction; ties broken by start_time DESC, run_uuid.
"""

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, column, exists, func, literal, select
from sqlalchemy.dialects.postgresql import JSONB

from services.core.db.tables.tracking import (
    datasets,
    latest_metrics,
    params,
    run_dataset_inputs,
    runs,
    tags,
)
from services.core.errors import InvalidParameterValue
from services.core.search_filter import Comparison, parse_filter, parse_order_by
from services.core.search_sql import (
    STRING_COMPARATORS,
    compare_numeric,
    compare_string,
)

STRING_ATTRIBUTES = {
    "run_id": runs.c.run_uuid,
    "run_name": runs.c.name,
    "run name": runs.c.name,
    "Run name": runs.c.name,
    "Run Name": runs.c.name,
    "status": runs.c.status,
    "user_id": runs.c.user_id,
    "artifact_uri": runs.c.artifact_uri,
}
NUMERIC_ATTRIBUTES = {
    "start_time": runs.c.start_time,
    "end_time": runs.c.end_time,
    "created": runs.c.start_time,
    "Created": runs.c.start_time,
}
KEYED_TABLES = {"metric": latest_metrics, "parameter": params, "tag": tags}
NAN = literal(float("nan"))
CONTEXT_TAG = "mlflow.data.context"


def _attribute_clause(comparison: Comparison) -> ColumnElement[bool]:
    if comparison.key in NUMERIC_ATTRIBUTES:
        return compare_numeric(NUMERIC_ATTRIBUTES[comparison.key], comparison)
    if comparison.key in STRING_ATTRIBUTES:
        return compare_string(STRING_ATTRIBUTES[comparison.key], comparison)
    raise InvalidParameterValue(
        f"Invalid attribute key '{comparison.key}' specified. Valid keys are "
        f"'{sorted(k for k in [*STRING_ATTRIBUTES, *NUMERIC_ATTRIBUTES] if k.islower())}'"
    )


def _keyed_clause(comparison: Comparison) -> ColumnElement[bool]:
    table = KEYED_TABLES[comparison.type]
    match = select(1).where(table.c.run_uuid == runs.c.run_uuid, table.c.key == comparison.key)
    if comparison.comparator in ("IS NULL", "IS NOT NULL"):
        if comparison.type == "metric":
            raise InvalidParameterValue(
                "IS NULL / IS NOT NULL is only supported for tags and params, "
                f"not for 'metric' '{comparison.key}'"
            )
        return ~exists(match) if comparison.comparator == "IS NULL" else exists(match)
    if comparison.type == "metric":
        condition = compare_numeric(table.c.value, comparison)
        if comparison.comparator != "!=":
            # MLflow never matches NaN with an ordering or equality comparison.
            condition = and_(condition, table.c.value != NAN)
        return exists(match.where(condition))
    return exists(match.where(compare_string(table.c.value, comparison, STRING_COMPARATORS)))


def _dataset_clause(comparison: Comparison) -> ColumnElement[bool]:
    d, i = datasets.c, run_dataset_inputs.c
    match = (
        select(1)
        .select_from(run_dataset_inputs.join(datasets, d.dataset_uuid == i.dataset_uuid))
        .where(i.run_uuid == runs.c.run_uuid)
    )
    if comparison.key in ("name", "digest"):
        return exists(match.where(compare_string(getattr(d, comparison.key), comparison)))
    if comparison.key == "context":
        tag = (
            func.jsonb_array_elements(i.tags)
            .table_valued(column("value", JSONB))
            .alias("input_tag")
        )
        context = (
            select(1)
            .select_from(tag)
            .where(
                tag.c.value["key"].astext == CONTEXT_TAG,
                compare_string(tag.c.value["value"].astext, comparison),
            )
        )
        return exists(match.where(exists(context)))
    raise InvalidParameterValue(
        f"Invalid dataset key '{comparison.key}' specified. Valid keys are "
        "'{'name', 'digest', 'context'}'"
    )


def filter_clauses(text: str | None) -> list[ColumnElement[bool]]:
    clauses = []
    for comparison in parse_filter(text):
        if comparison.type == "attribute":
            clauses.append(_attribute_clause(comparison))
        elif comparison.type == "dataset":
            clauses.append(_dataset_clause(comparison))
        else:
            clauses.append(_keyed_clause(comparison))
    return clauses


def apply_order(statement: Select, order_by: list[str]) -> Select:
    clauses: list[ColumnElement[Any]] = []
    seen: set[tuple[str, str]] = set()
    for index, text in enumerate(order_by):
        parsed = parse_order_by(text)
        if (parsed.type, parsed.key) in seen:
            raise InvalidParameterValue(f"`order_by` contains duplicate fields: {order_by}")
        seen.add((parsed.type, parsed.key))
        if parsed.type == "attribute":
            column = NUMERIC_ATTRIBUTES.get(parsed.key)
            if column is None:
                column = STRING_ATTRIBUTES.get(parsed.key)
            if column is None:
                raise InvalidParameterValue(
                    f"Invalid order_by clause '{text}'. Unknown attribute '{parsed.key}'."
                )
            if column is runs.c.start_time:
                seen.add(("attribute", "start_time"))
            clauses.append(case((column.is_(None), 1), else_=0))
        elif parsed.type in KEYED_TABLES:
            table = KEYED_TABLES[parsed.type].alias(f"order_{index}")
            statement = statement.outerjoin(
                table, and_(table.c.run_uuid == runs.c.run_uuid, table.c.key == parsed.key)
            )
            column = table.c.value
            if parsed.type == "metric":
                clauses.append(case((column.is_(None), 2), (column == NAN, 1), else_=0))
            else:
                clauses.append(case((column.is_(None), 1), else_=0))
        else:
            raise InvalidParameterValue(
                f"Invalid order_by entity '{parsed.type}' in '{text}'. Use attributes, "
                "metrics, params or tags."
            )
        clauses.append(column.asc() if parsed.ascending else column.desc())
    if ("attribute", "start_time") not in seen:
        clauses.append(runs.c.start_time.desc())
    clauses.append(runs.c.run_uuid.asc())
    return statement.order_by(*clauses)
