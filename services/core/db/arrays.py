"""`column = ANY($1)` instead of `column IN ($1, ..., $n)`.

An IN list of a page of ids is rendered into new SQL text for every call (one placeholder
per id: a 100-run search page spent more CPU rendering six such statements than running
them), and each length is a new prepared statement. One array parameter keeps a single
statement, cached and prepared once.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY


def one_of(column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
