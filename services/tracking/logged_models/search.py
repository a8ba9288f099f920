"""Translate a logged-models filter, dataset filters and order_by into SQL."""

from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, or_, select

from services.core.db.tables.tracking import (
    logged_model_metrics,
    logged_model_params,
    logged_model_tags,
    logged_models,
)
from services.core.errors import InvalidParameterValue
from services.core.search_filter import Comparison, parse_filter
from services.core.search_sql import (
    RowTest,
    attribute_comparison,
    compare_numeric,
    compare_string,
    where_clauses,
)
from services.tracking.logged_models.schemas import STATUS_NUMBERS, DatasetFilter, OrderBy

lm = logged_models.c
STRING_ATTRIBUTES = {
    "name": lm.name,
    "model_id": lm.model_id,
    "model_type": lm.model_type,
    "source_run_id": lm.source_run_id,
}
NUMERIC_ATTRIBUTES = {
    "creation_timestamp": lm.creation_timestamp_ms,
    "creation_time": lm.creation_timestamp_ms,
    "last_updated_timestamp": lm.last_updated_timestamp_ms,
    "last_updated_time": lm.last_updated_timestamp_ms,
}
FILTERABLE_ATTRIBUTES = str(sorted(["status", *STRING_ATTRIBUTES, *NUMERIC_ATTRIBUTES]))
TAG_PARAM_COMPARATORS = {"=", "!=", "LIKE", "ILIKE"}


def _on_datasets(datasets: list[DatasetFilter]) -> ColumnElement[bool]:
    """A metric row logged on one of `datasets` (not empty)."""
    m = logged_model_metrics.c
    return or_(
        *[
            and_(
                m.dataset_name == d.dataset_name,
                *([m.dataset_digest == d.dataset_digest] if d.dataset_digest else []),
            )
            for d in datasets
        ]
    )


def _restrict_to_datasets(rows: Any, datasets: list[DatasetFilter]) -> Any:
    return rows.where(_on_datasets(datasets)) if datasets else rows


def _part(comparison: Comparison, datasets: list[DatasetFilter]) -> ColumnElement[bool] | RowTest:
    if comparison.type == "attribute":
        if comparison.key == "status":
            names = comparison.value if isinstance(comparison.value, list) else [comparison.value]
            unknown = [n for n in names if not isinstance(n, str) or n not in STATUS_NUMBERS]
            if unknown:
                raise InvalidParameterValue(f"Invalid logged model status {unknown[0]!r}.")
            numbers = [STATUS_NUMBERS[n] for n in names if isinstance(n, str)]
            value = numbers if isinstance(comparison.value, list) else numbers[0]
            return compare_numeric_or_list(lm.status, comparison, value)
        return attribute_comparison(
            comparison, STRING_ATTRIBUTES, NUMERIC_ATTRIBUTES, FILTERABLE_ATTRIBUTES
        )
    if comparison.type == "metric":
        m = logged_model_metrics.c
        condition = and_(m.key == comparison.key, compare_numeric(m.value, comparison))
        if datasets:
            condition = and_(condition, _on_datasets(datasets))
        return RowTest(logged_model_metrics, m.model_id, condition)
    tables = {"parameter": logged_model_params, "tag": logged_model_tags}
    if comparison.type not in tables:
        raise InvalidParameterValue(
            f"Invalid entity type '{comparison.type}' for logged models. Valid values are "
            "['attribute', 'metric', 'parameter', 'tag']"
        )
    table = tables[comparison.type]
    matches = compare_string(table.c.value, comparison, TAG_PARAM_COMPARATORS)
    return RowTest(table, table.c.model_id, and_(table.c.key == comparison.key, matches))


def compare_numeric_or_list(column: Any, comparison: Comparison, value: Any) -> ColumnElement[bool]:
    op = comparison.comparator
    if op == "=":
        return column == value
    if op == "!=":
        return column != value
    if op == "IN":
        return column.in_(value)
    if op == "NOT IN":
        return column.not_in(value)
    raise InvalidParameterValue(f"Invalid comparator '{op}' for attribute 'status'.")


def filter_clauses(text: str | None, datasets: list[DatasetFilter]) -> list[ColumnElement[bool]]:
    parts = (_part(comparison, datasets) for comparison in parse_filter(text))
    clauses = where_clauses(lm.model_id, parts)
    if datasets:
        clauses.append(
            exists(
                _restrict_to_datasets(
                    select(1).where(logged_model_metrics.c.model_id == lm.model_id), datasets
                )
            )
        )
    return clauses


def order_clauses(order_by: list[OrderBy]) -> list[ColumnElement[Any]]:
    clauses: list[ColumnElement[Any]] = []
    for item in order_by:
        field = item.field_name
        if field.startswith("metrics."):
            m = logged_model_metrics.c
            datasets = (
                [DatasetFilter(dataset_name=item.dataset_name, dataset_digest=item.dataset_digest)]
                if item.dataset_name
                else []
            )
            latest = (
                _restrict_to_datasets(
                    select(m.value).where(
                        m.model_id == lm.model_id, m.key == field[len("metrics.") :]
                    ),
                    datasets,
                )
                .order_by(m.step.desc(), m.timestamp.desc())
                .limit(1)
                .scalar_subquery()
            )
            clauses.append(case((latest.is_(None), 1), else_=0))
            clauses.append(latest.asc() if item.ascending else latest.desc())
            continue
        column = {**STRING_ATTRIBUTES, **NUMERIC_ATTRIBUTES, "status": lm.status}.get(field)
        if column is None:
            raise InvalidParameterValue(f"Invalid order_by field '{field}' for logged models.")
        clauses.append(column.asc() if item.ascending else column.desc())
    clauses.append(lm.creation_timestamp_ms.desc())
    clauses.append(lm.model_id.asc())
    return clauses
