"""Translate a runs filter and order_by into one SQL statement.

Filters on metrics/params/tags become EXISTS subqueries on their (run_uuid, key) primary
keys (a filter with more than four is tested per table: search_sql.where_clauses); sort keys
become LEFT JOINs. Ordering follows MLflow: values first, then NaN, then
runs lacking the key, whatever the direction; ties broken by start_time DESC, run_uuid.
"""

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    any_,
    bindparam,
    case,
    column,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from services.core.db.compiled import CompiledStatement
from services.core.db.tables.tracking import (
    INDEXED_VALUE_PREFIX,
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
    RowTest,
    attribute_comparison,
    compare_numeric,
    compare_string,
    where_clauses,
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
# The spellings MLflow lists in its error (not its capitalised aliases of run name, created).
FILTERABLE_ATTRIBUTES = (
    f"'{sorted(k for k in [*STRING_ATTRIBUTES, *NUMERIC_ATTRIBUTES] if k.islower())}'"
)
KEYED_TABLES = {"metric": latest_metrics, "parameter": params, "tag": tags}
NAN = literal(float("nan"))
CONTEXT_TAG = "mlflow.data.context"


def _metric_condition(value: ColumnElement[Any], comparison: Comparison) -> ColumnElement[bool]:
    condition = compare_numeric(value, comparison)
    if comparison.comparator != "!=":
        # MLflow never matches NaN with an ordering or equality comparison.
        condition = and_(condition, value != NAN)
    return condition


def _keyed_test(comparison: Comparison) -> RowTest:
    table = KEYED_TABLES[comparison.type]
    has_key = table.c.key == comparison.key
    if comparison.comparator in ("IS NULL", "IS NOT NULL"):
        if comparison.type == "metric":
            raise InvalidParameterValue(
                "IS NULL / IS NOT NULL is only supported for tags and params, "
                f"not for 'metric' '{comparison.key}'"
            )
        return RowTest(table, table.c.run_uuid, has_key, comparison.comparator == "IS NULL")
    if comparison.type == "metric":
        value = _metric_condition(table.c.value, comparison)
    else:
        value = compare_string(
            table.c.value, comparison, STRING_COMPARATORS, indexed_prefix=INDEXED_VALUE_PREFIX
        )
    return RowTest(table, table.c.run_uuid, and_(has_key, value))


_INPUTS = run_dataset_inputs.join(
    datasets, datasets.c.dataset_uuid == run_dataset_inputs.c.dataset_uuid
)


def _dataset_test(comparison: Comparison) -> RowTest:
    d, i = datasets.c, run_dataset_inputs.c
    if comparison.key in ("name", "digest"):
        return RowTest(_INPUTS, i.run_uuid, compare_string(getattr(d, comparison.key), comparison))
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
        return RowTest(_INPUTS, i.run_uuid, exists(context))
    raise InvalidParameterValue(
        f"Invalid dataset key '{comparison.key}' specified. Valid keys are "
        "'{'name', 'digest', 'context'}'"
    )


def _part(comparison: Comparison) -> ColumnElement[bool] | RowTest:
    if comparison.type == "attribute":
        return attribute_comparison(
            comparison, STRING_ATTRIBUTES, NUMERIC_ATTRIBUTES, FILTERABLE_ATTRIBUTES
        )
    if comparison.type == "dataset":
        return _dataset_test(comparison)
    return _keyed_test(comparison)


@dataclass(frozen=True)
class Join:
    table: Any
    onclause: ColumnElement[bool]
    outer: bool


@dataclass(frozen=True)
class RunQuery:
    """A runs filter and order_by, checked and turned into SQL clauses once: SQL expression
    objects are immutable, so the same clauses serve every search with this filter."""

    wheres: tuple[ColumnElement[bool], ...]
    joins: tuple[Join, ...]
    order: tuple[ColumnElement[Any], ...]

    def apply(self, statement: Select) -> Select:
        statement = statement.where(*self.wheres)
        for join in self.joins:
            statement = statement.join(join.table, join.onclause, isouter=join.outer)
        return statement.order_by(*self.order)

    @cached_property
    def page_statement(self) -> CompiledStatement:
        """A page of matching runs (every `runs` column, in table order) among
        `experiment_ids` in lifecycle `stages`, compiled once per query (see
        services/core/db/compiled.py): the filter's constants are bound in it."""
        experiment_ids = bindparam("experiment_ids", [0], type_=ARRAY(BigInteger))
        stages = bindparam("stages", ["active"], type_=ARRAY(String))
        statement = self.apply(
            select(runs).where(
                runs.c.experiment_id == any_(experiment_ids),
                runs.c.lifecycle_stage == any_(stages),
            )
        )
        statement = statement.offset(bindparam("offset", 0, type_=Integer))
        return CompiledStatement(
            statement.limit(bindparam("limit", 1, type_=Integer)),
            ("experiment_ids", "stages", "offset", "limit"),
        )


# Building the clauses cost a search more server CPU than PostgreSQL's planning of them;
# dashboards and scripts repeat the same few filters, so the recent short ones are kept. Only
# short ones: a query's SQL objects take ~4.5 KiB a comparison, so 256 filters at the size
# limit would hold 128 MiB; at this length, 256 of the longest fit in ~14 MiB.
CACHED_QUERY_CHARACTERS = 256


def translate(text: str | None, order_by: list[str]) -> RunQuery:
    """Parse and check the filter now, so a bad one is refused before any database work."""
    order = tuple(order_by)
    if len(text or "") + sum(map(len, order)) <= CACHED_QUERY_CHARACTERS:
        return _recent(text, order)
    return _translate(text, order)


def _translate(text: str | None, order_by: tuple[str, ...]) -> RunQuery:
    comparisons = parse_filter(text)
    driving = _driving_metric(comparisons, order_by)
    parts = (_part(c) for c in comparisons if not (c.type == "metric" and c.key == driving))
    wheres = tuple(where_clauses(runs.c.run_uuid, parts))
    conditions = [c for c in comparisons if c.type == "metric" and c.key == driving]
    joins, order = _order(list(order_by), conditions)
    return RunQuery(wheres, tuple(joins), tuple(order))


_recent = lru_cache(maxsize=256)(_translate)


def _driving_metric(comparisons: list[Comparison], order_by: tuple[str, ...]) -> str | None:
    """The metric the page can be read in order of: the first sort key, when the filter
    already requires every run to have it with a non-NaN value (an ordering or equality
    comparison; the grammar joins comparisons with AND only)."""
    if not order_by:
        return None
    first = parse_order_by(order_by[0])
    if first.type != "metric":
        return None
    required = any(
        c.type == "metric" and c.key == first.key and c.comparator != "!=" for c in comparisons
    )
    return first.key if required else None


def _order(
    order_by: list[str], driving: list[Comparison]
) -> tuple[list[Join], list[ColumnElement[Any]]]:
    """Order as MLflow does. With `driving` (the filter's comparisons on the first sort key,
    see _driving_metric) the NaN and missing buckets are empty, so the sort key is the plain
    value of an inner join carrying those comparisons instead of an EXISTS: the planner then
    walks ix_latest_metrics_key_value in order and stops at the page's end, instead of
    collecting and sorting every match (figures: docs/benchmarks.md)."""
    joins: list[Join] = []
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
        elif parsed.type == "metric" and index == 0 and driving:
            table = latest_metrics.alias(f"order_{index}")
            onclause = and_(
                table.c.run_uuid == runs.c.run_uuid,
                table.c.key == parsed.key,
                *(_metric_condition(table.c.value, c) for c in driving),
            )
            joins.append(Join(table, onclause, outer=False))
            column = table.c.value
        elif parsed.type in KEYED_TABLES:
            table = KEYED_TABLES[parsed.type].alias(f"order_{index}")
            onclause = and_(table.c.run_uuid == runs.c.run_uuid, table.c.key == parsed.key)
            joins.append(Join(table, onclause, outer=True))
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
    return joins, clauses
