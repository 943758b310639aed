"""Read chunks of the registry (the residents of some region codes) as Arrow tables.

On PostgreSQL each query is streamed out with ``COPY (SELECT …) TO STDOUT`` and parsed
by Arrow's CSV reader; elsewhere (SQLite) the same SELECT is streamed through
SQLAlchemy. Four queries for a group of regions, whatever their size: persons with their
covered years before the renewal year (aggregated in the database, one row per person),
the renewal year's enrollments, special-group memberships, status changes that a quote of
the year may carry (docs/rules.md C37); each sorted by region and split into one chunk per
region.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Select, String, Table, cast, func, literal, select, union_all

from yibao.services.registry.history import COVERED_STATUSES
from yibao.store.models import (
    CoverageHistory,
    Enrollment,
    Person,
    SpecialGroupMembership,
    StatusChange,
)

__all__ = ["Chunk", "extract_chunks", "registered_regions"]

_P: Table = Person.__table__  # type: ignore[assignment]
_H: Table = CoverageHistory.__table__  # type: ignore[assignment]
_E: Table = Enrollment.__table__  # type: ignore[assignment]
_M: Table = SpecialGroupMembership.__table__  # type: ignore[assignment]
_S: Table = StatusChange.__table__  # type: ignore[assignment]

#: ``years``: covered years before the renewal year, ``;``-separated (declared or imported,
#: and paid through the registry), in no particular order; ``registry``: 1 when one of them
#: was paid through the registry.
PERSONS = pa.schema([("person_id", pa.int64()), ("household_id", pa.int64()),
                     ("id_number", pa.string()), ("name", pa.string()),
                     ("birth_date", pa.date32()), ("known", pa.bool_()),
                     ("years", pa.string()), ("registry", pa.int32())])
#: The renewal year's enrollment: status, money, the cover as fixed, what is still owed and
#: the reason the answer gave for a start after 1 January (JSON text).
CURRENT = pa.schema([("person_id", pa.int64()), ("status", pa.string()),
                     ("paid_fen", pa.int64()), ("covered_from", pa.date32()),
                     ("due_fen", pa.int64()), ("balance_fen", pa.int64()),
                     ("start_reason", pa.string())])
GROUPS = pa.schema([("person_id", pa.int64()), ("group_code", pa.string()),
                    ("valid_from", pa.date32()), ("valid_to", pa.date32())])
CHANGES = pa.schema([("person_id", pa.int64()), ("id", pa.int64()), ("kind", pa.string()),
                     ("began_on", pa.date32())])


@dataclass(frozen=True)
class Chunk:
    """The registry's facts on the residents of one region code."""

    region: str
    persons: pa.Table
    current: pa.Table
    groups: pa.Table
    changes: pa.Table  # status changes not withdrawn, of the year and the year before (C37)


def registered_regions(conn: Connection, within: tuple[str, ...] | None) -> list[str]:
    """The region codes residents are registered in (optionally only these), sorted."""
    query = select(_P.c.region).distinct()
    if within is not None:
        query = query.where(_P.c.region.in_(within))
    return sorted(r for r in conn.execute(query).scalars())


def _table(conn: Connection, query: Select[Any], schema: pa.Schema) -> pa.Table:
    if conn.dialect.name == "postgresql":
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        raw: Any = conn.connection.driver_connection
        buf = io.BytesIO()
        with raw.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buf.write(block)
        if buf.tell() == 0:
            return schema.empty_table()
        buf.seek(0)
        return pacsv.read_csv(
            buf,
            read_options=pacsv.ReadOptions(column_names=schema.names),
            convert_options=pacsv.ConvertOptions(
                column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False,
                true_values=["t"], false_values=["f"]),
        ).select(schema.names)
    columns: list[list[Any]] = [[] for _ in schema.names]
    for row in conn.execution_options(yield_per=50_000).execute(query):
        for values, value in zip(columns, row, strict=True):
            values.append(value)
    for values, f in zip(columns, schema, strict=True):
        if pa.types.is_boolean(f.type):  # SQLite answers 0/1
            values[:] = [None if v is None else bool(v) for v in values]
    return pa.table([pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)],
                    schema=schema)


def _split(table: pa.Table, regions: list[str]) -> dict[str, pa.Table]:
    """Slices of a table sorted by its ``region`` column, one per region (without it)."""
    codes = table.column("region").to_numpy(zero_copy_only=False).astype(str)
    body = table.drop_columns(["region"])
    out = {}
    for region in regions:
        lo, hi = np.searchsorted(codes, region, "left"), np.searchsorted(codes, region, "right")
        out[region] = body.slice(int(lo), int(hi - lo))
    return out


def _with_region(schema: pa.Schema) -> pa.Schema:
    return pa.schema([("region", pa.string()), *schema])


def extract_chunks(conn: Connection, regions: list[str], year: int) -> dict[str, Chunk]:
    """Everything the renewal of ``year`` needs on the residents registered in ``regions``:
    four queries for all of them (persons with their covered years aggregated, the year's
    enrollments, memberships, status changes of the year and the year before), sorted by
    region, split into one chunk per region."""
    wanted = sorted(regions)
    region = _P.c.region
    before = select(_H.c.person_id, _H.c.coverage_year, literal(0).label("registry")).join(
        _P, _P.c.id == _H.c.person_id).where(region.in_(wanted), _H.c.coverage_year < year)
    paid = select(_E.c.person_id, _E.c.coverage_year, literal(1).label("registry")).join(
        _P, _P.c.id == _E.c.person_id).where(
        region.in_(wanted), _E.c.coverage_year < year, _E.c.status.in_(COVERED_STATUSES))
    years = union_all(before, paid).subquery()
    agg = select(years.c.person_id,
                 func.aggregate_strings(cast(years.c.coverage_year, String), ";").label("years"),
                 func.max(years.c.registry).label("registry")).group_by(
        years.c.person_id).subquery()
    persons = select(region, _P.c.id, _P.c.household_id, _P.c.id_number, _P.c.name,
                     _P.c.birth_date, _P.c.history_recorded_at.is_not(None), agg.c.years,
                     func.coalesce(agg.c.registry, 0)).outerjoin(
        agg, agg.c.person_id == _P.c.id).where(region.in_(wanted)).order_by(region, _P.c.id)
    current = select(region, _E.c.person_id, _E.c.status, _E.c.amount_paid_fen,
                     _E.c.benefit_start, _E.c.amount_due_fen, _E.c.balance_due_fen,
                     cast(_E.c.start_reason, String)).join(_P, _P.c.id == _E.c.person_id).where(
        region.in_(wanted), _E.c.coverage_year == year).order_by(region, _E.c.person_id)
    groups = select(region, _M.c.person_id, _M.c.group_code, _M.c.valid_from,
                    _M.c.valid_to).join(_P, _P.c.id == _M.c.person_id).where(
        region.in_(wanted)).order_by(region, _M.c.person_id, _M.c.id)
    changes = select(region, _S.c.person_id, _S.c.id, _S.c.kind, _S.c.began_on).join(
        _P, _P.c.id == _S.c.person_id).where(
        region.in_(wanted), _S.c.withdrawn_at.is_(None),
        _S.c.began_on >= dt.date(year - 1, 1, 1)).order_by(region, _S.c.person_id, _S.c.id)
    parts = [_split(_table(conn, q, _with_region(schema)), wanted) for q, schema in (
        (persons, PERSONS), (current, CURRENT), (groups, GROUPS), (changes, CHANGES))]
    return {r: Chunk(r, *(part[r] for part in parts)) for r in wanted}
