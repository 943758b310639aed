"""PostgreSQL: many rows inserted by one statement, ``INSERT … SELECT … FROM unnest(arrays)``.

One array parameter per column instead of one parameter set per row: the statement text
depends only on the table and the columns (prepared once per connection), and the per-row
work of an executemany (SQLAlchemy's parameter processing, the driver's pipeline) is gone.
The stored values are the ones ``insert(table)`` with the same rows would store: JSON values
are the text of ``json.dumps`` (``None`` as JSON ``null``, as a ``JSON`` column without
``none_as_null`` stores it) and missing columns take their scalar client-side default.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Connection, Table, TextClause, text
from sqlalchemy.engine import Dialect

__all__ = ["insert_unnest", "supports_unnest"]


def supports_unnest(table: Table, columns: Sequence[str]) -> bool:
    """Whether rows with these keys can go through :func:`insert_unnest` (every missing
    column has no client-side default, or a scalar one)."""
    return all(c.name in columns or c.default is None or c.default.is_scalar
               for c in table.columns)


def _array(n: int, sql_type: str, is_json: bool) -> str:
    if not is_json:
        return f"CAST(:c{n} AS {sql_type}[])"
    # JSON texts travel as one JSON array of strings: the driver's array dumper would escape
    # every quote in Python; json_array_elements_text gives each text back unchanged
    return (f"CAST(ARRAY(SELECT e FROM json_array_elements_text(CAST(:c{n} AS JSON)) "
            f"WITH ORDINALITY AS x(e, i) ORDER BY i) AS {sql_type}[])")


@lru_cache(maxsize=64)
def _statement(table: Table, columns: tuple[str, ...], dialect: Dialect
               ) -> tuple[TextClause, tuple[bool, ...]]:
    cols = [table.c[name] for name in columns]
    arrays = ", ".join(_array(n, c.type.compile(dialect=dialect), isinstance(c.type, JSON))
                       for n, c in enumerate(cols))
    names = ", ".join(f'"{name}"' for name in columns)
    aliases = ", ".join(f"c{n}" for n in range(len(cols)))
    stmt = text(f'INSERT INTO "{table.name}" ({names}) SELECT {aliases} FROM unnest({arrays}) '
                f"WITH ORDINALITY AS t({aliases}, n) ORDER BY n")
    return stmt, tuple(isinstance(c.type, JSON) for c in cols)


def _texts(values: list[Any]) -> str:
    """The JSON array of each value's ``json.dumps`` text."""
    return json.dumps([json.dumps(v) for v in values])


def insert_unnest(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows (all with the keys of the first) in their order."""
    if not rows:
        return
    keys = tuple(rows[0])
    defaults = {c.name: c.default.arg for c in table.columns  # type: ignore[attr-defined]
                if c.name not in keys and c.default is not None}
    stmt, is_json = _statement(table, keys + tuple(defaults), conn.dialect)
    params: dict[str, Any] = {}
    for n, key in enumerate(keys):
        values = [r[key] for r in rows]
        params[f"c{n}"] = _texts(values) if is_json[n] else values
    for n, value in enumerate(defaults.values(), start=len(keys)):
        params[f"c{n}"] = _texts([value] * len(rows)) if is_json[n] else [value] * len(rows)
    conn.execute(stmt, params)
