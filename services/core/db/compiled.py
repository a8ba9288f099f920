"""A SQL expression compiled once into asyncpg's text and arguments, for the few hot statements
whose per-call cost in the SQL layer outweighs PostgreSQL's work (a run search: building the
execution context, the result and its rows cost more server CPU than the query itself).

The statement is compiled for the asyncpg dialect, so its text is what SQLAlchemy would send
(`$n` placeholders with the same casts); values fixed in the expression (a filter's
constants) are bound and converted once, and the named `bindparam`s left open are supplied
per call.
"""

from collections.abc import Collection
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


class CompiledStatement:
    __slots__ = ("text", "_names", "_fixed")

    def __init__(self, statement: Executable, open_parameters: Collection[str]):
        """`open_parameters`: the names of the bindparams supplied per call, as the driver
        takes them (no type conversion); each is given a sample value of its type in the
        statement, since expanding `IN (...)` lists needs every value."""
        compiled = statement.compile(dialect=_DIALECT)  # type: ignore[attr-defined]
        # Expanding parameters (a filter's `IN (...)`) become one placeholder per value.
        expanded = compiled.construct_expanded_state()
        if expanded.positiontup is None:
            raise ValueError("expected the asyncpg dialect's positional parameters")
        self.text: str = expanded.statement
        self._names: tuple[str, ...] = tuple(expanded.positiontup)
        self._fixed: dict[str, Any] = {}
        for name in self._names:
            if name not in open_parameters:
                value = expanded.parameters[name]
                process = expanded.processors.get(name)
                self._fixed[name] = process(value) if process else value

    def arguments(self, **open_values: Any) -> list[Any]:
        """The positional arguments for one call: the fixed values and `open_values`."""
        fixed = self._fixed
        return [fixed[name] if name in fixed else open_values[name] for name in self._names]
