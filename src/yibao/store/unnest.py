"""PostgreSQL: many rows inserted by one statement, ``INSERT … SELECT … FROM unnest(arrays)``;
and ``IN`` lists as one array parameter (:func:`in_values`, :func:`in_pairs`).

One parameter per column instead of one parameter set per row: the statement text depends
only on the table and the columns (prepared once per connection), and the per-row work of
an executemany (SQLAlchemy's parameter processing, the driver's pipeline) is gone. Each
column travels as one JSON array, read back with ``json_array_elements_text`` and cast to
the column's type (the driver's text array dumper escapes element by element in Python).

The stored values are the ones ``insert(table)`` with the same rows would store: a ``JSON``
column gets the text of ``json.dumps`` (``None`` as JSON ``null``, as a ``JSON`` column
without ``none_as_null`` stores it); a missing column takes its scalar client-side default.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    String,
    Table,
    TextClause,
    any_,
    bindparam,
    func,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect

__all__ = ["in_pairs", "in_values", "insert_unnest", "supports_unnest"]

#: Values that go through JSON as themselves (the text of the number or string, or NULL).
_PLAIN = frozenset({type(None), bool, int, str})
_NAIVE = frozenset({type(None), dt.date, dt.datetime})


def supports_unnest(table: Table, columns: Sequence[str]) -> bool:
    """Whether rows with these keys can go through :func:`insert_unnest` (every missing
    column has no client-side default, or a scalar one)."""
    return all(c.name in columns or c.default is None or c.default.is_scalar
               for c in table.columns)


@lru_cache(maxsize=64)
def _statement(table: Table, columns: tuple[str, ...], dialect: Dialect
               ) -> tuple[TextClause, tuple[bool, ...]]:
    cols = [table.c[name] for name in columns]
    arrays = ", ".join(
        f"CAST(ARRAY(SELECT e FROM json_array_elements_text(CAST(:c{n} AS JSON)) "
        f"WITH ORDINALITY AS x(e, i) ORDER BY i) AS {c.type.compile(dialect=dialect)}[])"
        for n, c in enumerate(cols)
    )
    names = ", ".join(f'"{name}"' for name in columns)
    aliases = ", ".join(f"c{n}" for n in range(len(cols)))
    stmt = text(f'INSERT INTO "{table.name}" ({names}) SELECT {aliases} FROM unnest({arrays}) '
                f"WITH ORDINALITY AS t({aliases}, n) ORDER BY n")
    return stmt, tuple(isinstance(c.type, JSON) for c in cols)


def _column(values: list[Any], is_json: bool) -> str | None:
    """One column as a JSON array of texts, or None when a value has no exact text here."""
    if is_json:
        return json.dumps([json.dumps(v) for v in values])
    kinds = set(map(type, values))
    if kinds <= _PLAIN:
        return json.dumps(values)
    if kinds <= _NAIVE and not any(getattr(v, "tzinfo", None) for v in values):
        return json.dumps([None if v is None else v.isoformat() for v in values])
    return None  # an aware datetime (PostgreSQL would convert it), a Decimal, …


def insert_unnest(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> bool:
    """Insert the rows (all with the keys of the first) in their order; False (nothing done)
    when a value cannot travel as JSON text exactly."""
    if not rows:
        return True
    keys = tuple(rows[0])
    defaults = {c.name: c.default.arg for c in table.columns  # type: ignore[attr-defined]
                if c.name not in keys and c.default is not None}
    stmt, is_json = _statement(table, keys + tuple(defaults), conn.dialect)
    params: dict[str, str] = {}
    columns = [[r[key] for r in rows] for key in keys]
    columns += [[value] * len(rows) for value in defaults.values()]
    for n, values in enumerate(columns):
        param = _column(values, is_json[n])
        if param is None:
            return False
        params[f"c{n}"] = param
    conn.execute(stmt, params)
    return True


# An IN list of n values is n bind parameters in SQLAlchemy's statement, rendered afresh on
# every execution; one array parameter keeps the statement text fixed (and prepared).


def in_values(conn: Connection, column: ColumnElement[str], values: set[str]
              ) -> ColumnElement[bool]:
    """``column IN values`` (PostgreSQL: ``column = ANY(:array)``)."""
    if conn.dialect.name != "postgresql":
        return column.in_(values)
    return column == any_(bindparam(None, sorted(values), type_=ARRAY(String)))


def in_pairs(conn: Connection, columns: tuple[ColumnElement[str], ColumnElement[str]],
             pairs: set[tuple[str, str]]) -> ColumnElement[bool]:
    """``(a, b) IN pairs`` (PostgreSQL: ``IN (SELECT … FROM unnest(:array_a, :array_b))``)."""
    if conn.dialect.name != "postgresql":
        return tuple_(*columns).in_(pairs)
    ordered = sorted(pairs)
    table = func.unnest(
        bindparam(None, [a for a, _ in ordered], type_=ARRAY(String)),
        bindparam(None, [b for _, b in ordered], type_=ARRAY(String)),
    ).table_valued("a", "b").render_derived()
    return tuple_(*columns).in_(select(table.c.a, table.c.b))
