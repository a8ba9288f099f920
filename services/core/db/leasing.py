"""Claims with a lease: how workers in many processes share rows of work without a singleton.

`claim` builds one UPDATE that takes up to `limit` rows whose lease is free (NULL) or expired
and sets their lease deadline. The candidates are read `FOR UPDATE SKIP LOCKED`, so two
claimers at the same moment never wait on each other nor take the same row; the deadline is
what keeps a row with its claimer once that transaction has committed, and what hands it to
someone else when the claimer dies holding it. A worker clears or moves the lease when it is
done with the row.

The candidates are a MATERIALIZED CTE, read once: as an `IN (SELECT ... LIMIT n FOR UPDATE
SKIP LOCKED)` subquery the planner may rescan it and lock more than `n` rows.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, and_, or_, select, update
from sqlalchemy.sql.dml import Update


def claim(
    table: Table,
    lease_until: Column[Any],
    *,
    now: Any,
    until: Any,
    limit: int,
    where: Sequence[ColumnElement[bool]] = (),
    order_by: Sequence[ColumnElement[Any]] = (),
    also_set: Mapping[Column[Any], Any] | None = None,
) -> Update:
    """Up to `limit` rows of `table` matching `where` whose `lease_until` is NULL or before
    `now`, first by `order_by`, leased until `until` (with `also_set` set too). Add
    `.returning(...)` (and joins through `.where`) and execute it inside a transaction."""
    key = list(table.primary_key.columns)
    claimable = (
        select(*key)
        .where(or_(lease_until.is_(None), lease_until < now), *where)
        .order_by(*order_by)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte(f"claimable_{table.name}")
        .prefix_with("MATERIALIZED")
    )
    return (
        update(table)
        .where(and_(*(column == claimable.c[column.name] for column in key)))
        .values({lease_until: until, **(also_set or {})})
    )
