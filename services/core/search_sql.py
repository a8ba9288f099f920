"""Comparators shared by every search translator."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    and_,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)

from services.core.errors import InvalidParameterValue
from services.core.fields import INT64_MAX, INT64_MIN
from services.core.search_filter import Comparison, parse_order_by

STRING_COMPARATORS = {"=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"}
NUMERIC_COMPARATORS = {"=", "!=", "<", "<=", ">", ">="}

# A filter's comparisons on rows an entity owns (a run's metrics, params, tags, datasets; an
# experiment's or a logged model's tags...) are subqueries. Written as an EXISTS each, every
# one becomes a semi-join the planner may start from, which is the best plan; but it searches
# the join orders of all of them at once, and planning time grows steeply with their number
# until a long filter spends the whole statement timeout planning. So only the first
# JOINED_SUBQUERIES are semi-joins; the others are checked on the rows those leave, one
# correlated subquery per table whatever their number (`bool_or` per comparison over the
# entity's rows of that table), which PostgreSQL plans separately and never pulls up: even a
# hundred comparisons then plan quickly (figures: docs/benchmarks.md, "Why the code is shaped
# this way").
JOINED_SUBQUERIES = 4


@dataclass(frozen=True)
class RowTest:
    """A comparison that holds when some row of `rows` owned by the entity (`owner` names it)
    satisfies `condition`; `absent`: when none does (`IS NULL`)."""

    rows: FromClause
    owner: ColumnElement[Any]
    condition: ColumnElement[bool]
    absent: bool = False


def where_clauses(
    entity: ColumnElement[Any], parts: Iterable[ColumnElement[bool] | RowTest]
) -> list[ColumnElement[bool]]:
    """A filter's WHERE clauses: column tests as they are, the first JOINED_SUBQUERIES
    RowTests as EXISTS, the rest grouped into one check per table (see above)."""
    clauses: list[ColumnElement[bool]] = []
    tests: list[RowTest] = []
    for part in parts:
        (tests if isinstance(part, RowTest) else clauses).append(part)  # type: ignore[arg-type]
    for test in tests[:JOINED_SUBQUERIES]:
        rows = select(1).select_from(test.rows).where(test.owner == entity, test.condition)
        clauses.append(~exists(rows) if test.absent else exists(rows))
    # By identity: SQL expressions overload ==, so they cannot be compared as dict keys.
    groups: dict[tuple[int, int, bool], tuple[RowTest, list[ColumnElement[bool]]]] = {}
    for test in tests[JOINED_SUBQUERIES:]:
        key = (id(test.rows), id(test.owner), test.absent)
        groups.setdefault(key, (test, []))[1].append(test.condition)
    for first, conditions in groups.values():
        owned = (first.owner == entity, or_(*conditions))
        if first.absent:
            # None of the keys. `IS false`, like `IS true` below, keeps it a per-row check:
            # PostgreSQL pulls up only a bare (NOT) EXISTS.
            anyone = select(1).select_from(first.rows).where(*owned)
            clauses.append(exists(anyone).is_(false()))
            continue
        # NULL when the entity has no such row at all: not satisfied.
        every = and_(*(func.bool_or(condition) for condition in conditions))
        satisfied = select(every).select_from(first.rows).where(*owned).scalar_subquery()
        clauses.append(satisfied.is_(true()))
    return clauses


def _expect_string(comparison: Comparison) -> str:
    if not isinstance(comparison.value, str):
        raise InvalidParameterValue(
            f"Expected a quoted string value for {comparison.type} '{comparison.key}' "
            f"(e.g. 'my-value'). Got value {comparison.value}"
        )
    return comparison.value


def _equals_by_prefix(
    column: ColumnElement[Any], values: list[str], prefix: int
) -> ColumnElement[bool]:
    """`column IN values` through an index on `left(column, prefix)`. A value shorter than the
    prefix equals the column exactly when it equals the column's prefix, so that alone is the
    test (and the planner estimates it from the index's statistics); longer values are
    rechecked against the whole column."""
    head = func.left(column, literal_column(str(prefix), Integer))
    if all(len(value) < prefix for value in values):
        return head == values[0] if len(values) == 1 else head.in_(values)
    return and_(head.in_([value[:prefix] for value in values]), column.in_(values))


def compare_string(
    column: ColumnElement[Any],
    comparison: Comparison,
    allowed: set[str] = STRING_COMPARATORS,
    *,
    indexed_prefix: int | None = None,
) -> ColumnElement[bool]:
    """`indexed_prefix`: the column is indexed by its first that many characters (params and
    tags values, migration 0007), so equality is written to use that index."""
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
        if op == "IN" and indexed_prefix:
            return _equals_by_prefix(column, comparison.value, indexed_prefix)
        return column.in_(comparison.value) if op == "IN" else column.not_in(comparison.value)
    value = _expect_string(comparison)
    if op == "=":
        if indexed_prefix:
            return _equals_by_prefix(column, [value], indexed_prefix)
        return column == value
    if op == "!=":
        return column != value
    if op == "LIKE":
        return column.like(value)
    return column.ilike(value)


def numeric_value(comparison: Comparison, column: ColumnElement[Any]) -> float | int:
    """The comparison's number as the column's type takes it: a double column compares with a
    double (an integer literal of any size is one), an integer column only with a number
    int64 can hold (PostgreSQL would refuse the statement: that was a 500)."""
    value = comparison.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParameterValue(
            f"Expected numeric value type for {comparison.type} '{comparison.key}'. Found {value!r}"
        )
    if not isinstance(column.type, Integer):
        return float(value)
    if not INT64_MIN <= value <= INT64_MAX:
        raise InvalidParameterValue(
            f"Invalid value {value} for {comparison.type} '{comparison.key}': it is a 64-bit "
            f"integer, between {INT64_MIN} and {INT64_MAX}."
        )
    return value


def compare_numeric(column: ColumnElement[Any], comparison: Comparison) -> ColumnElement[bool]:
    op = comparison.comparator
    if op not in NUMERIC_COMPARATORS:
        raise InvalidParameterValue(
            f"Invalid comparator '{op}' not one of '{sorted(NUMERIC_COMPARATORS)}' for "
            f"{comparison.type} '{comparison.key}'"
        )
    return column.op(op)(literal(numeric_value(comparison, column)))


def attribute_order(
    order_by: list[str],
    columns: Mapping[str, ColumnElement[Any]],
    unknown: Callable[[str, Mapping[str, ColumnElement[Any]]], str],
) -> tuple[list[ColumnElement[Any]], set[str]]:
    """ORDER BY clauses for `order_by` naming attributes only, and the keys it named (so a
    caller adds its default order only where the client gave none); `unknown` words the
    error for a key outside `columns` in the caller's MLflow message."""
    clauses: list[ColumnElement[Any]] = []
    seen: set[str] = set()
    for text in order_by:
        parsed = parse_order_by(text)
        column = columns.get(parsed.key) if parsed.type == "attribute" else None
        if column is None:
            raise InvalidParameterValue(unknown(text, columns))
        if parsed.key in seen:
            raise InvalidParameterValue(f"`order_by` contains duplicate fields: {order_by}")
        seen.add(parsed.key)
        clauses.append(column.asc() if parsed.ascending else column.desc())
    return clauses, seen


def attribute_comparison(
    comparison: Comparison,
    strings: Mapping[str, ColumnElement[Any]],
    numbers: Mapping[str, ColumnElement[Any]],
    valid_keys: str,
) -> ColumnElement[bool]:
    """`comparison` on one of an entity's string or numeric attribute columns; any other key
    is INVALID_PARAMETER_VALUE listing `valid_keys`, spelled as MLflow's message for that
    entity spells them."""
    if comparison.key in strings:
        return compare_string(strings[comparison.key], comparison)
    if comparison.key in numbers:
        return compare_numeric(numbers[comparison.key], comparison)
    raise InvalidParameterValue(
        f"Invalid attribute key '{comparison.key}' specified. Valid keys are {valid_keys}"
    )
