"""The registry extract for one coverage year: one row per registered person of the scope,
as Parquet, read in bulk (PostgreSQL ``COPY ... TO STDOUT``; SQLite a streamed cursor).

    write_extract(db.engine, params, Path("extract-2025.parquet"))   # -> rows written

Columns (``SCHEMA``): ``person_id``, ``region``, ``birth_date``, ``history_known`` (cover
before the registry declared or imported), ``covered_before`` (every covered year before
the coverage year, from enrollments in a covered status and the recorded history),
``status`` and ``benefit_start`` of the year's enrollment, ``anchor_paid_at`` (earliest
payment of the year not wholly reversed, Beijing time), ``net_paid_fen``. The file's
metadata names the coverage year; the report's definitions are applied by
:mod:`yibao.operations.reports.parquet`, not here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy import Engine, case, select

from yibao.operations.reports.model import ReportParams
from yibao.operations.reports.sql import _P, WORK_MEM, person_facts

__all__ = ["SCHEMA", "YEAR_KEY", "extract_query", "write_extract"]

YEAR_KEY = b"yibao.coverage_year"
SCHEMA = pa.schema([
    ("person_id", pa.int64()),
    ("region", pa.string()),
    ("birth_date", pa.date32()),
    ("history_known", pa.bool_()),
    ("covered_before", pa.list_(pa.int32())),
    ("status", pa.string()),
    ("benefit_start", pa.date32()),
    ("anchor_paid_at", pa.timestamp("us")),
    ("net_paid_fen", pa.int64()),
])
#: As read from the database: the year list as text ("2019;2020").
_RAW = pa.schema([f if f.name != "covered_before" else pa.field(f.name, pa.string())
                  for f in SCHEMA])
BATCH_ROWS = 65_536


def extract_query(params: ReportParams) -> Any:
    """One row per registered person of the scope (ordered by person id)."""
    pp = person_facts(params, years_text=True)
    stmt = (
        select(_P.c.id.label("person_id"), _P.c.region, _P.c.birth_date,
               case((_P.c.history_recorded_at.is_(None), 0), else_=1).label("history_known"),
               pp.c.years.label("covered_before"), pp.c.status, pp.c.benefit_start,
               pp.c.anchor.label("anchor_paid_at"), pp.c.net.label("net_paid_fen"))
        .select_from(_P)
        .outerjoin(pp, pp.c.person_id == _P.c.id)
        .where(_P.c.birth_date <= params.last_day)
        .order_by(_P.c.id)
    )
    codes = params.scope_codes()
    return stmt.where(_P.c.region.in_(codes)) if codes is not None else stmt


def _finish(raw: pa.RecordBatch | pa.Table) -> pa.Table:
    """Text year lists → int lists; the columns in ``SCHEMA`` order and types."""
    table = pa.Table.from_batches([raw]) if isinstance(raw, pa.RecordBatch) else raw
    lists = pc.split_pattern(table.column("covered_before"), ";")
    years = pc.fill_null(pc.cast(lists, pa.list_(pa.int32())), pa.scalar([], pa.list_(pa.int32())))
    table = table.set_column(table.schema.get_field_index("covered_before"),
                             "covered_before", years)
    return table.cast(SCHEMA)


def _batches_postgres(engine: Engine, stmt: Any, spool: Path) -> Any:
    """COPY the query's rows out as CSV into ``spool``, then read it back in batches."""
    sql = str(stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    raw = engine.raw_connection()
    try:
        cur: Any = raw.cursor()  # psycopg 3: COPY streams blocks as the server sends them
        cur.execute(WORK_MEM)  # in the COPY's transaction, rolled back when it is closed
        with spool.open("wb") as out, cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                out.write(block)
        cur.close()
    finally:
        raw.close()
    reader = pacsv.open_csv(
        spool,
        read_options=pacsv.ReadOptions(column_names=_RAW.names, block_size=8 << 20),
        convert_options=pacsv.ConvertOptions(
            column_types={f.name: (pa.int8() if f.name == "history_known" else f.type)
                          for f in _RAW},
            strings_can_be_null=True, quoted_strings_can_be_null=False,
            timestamp_parsers=["%Y-%m-%d %H:%M:%S", pacsv.ISO8601]),
    )
    yield from reader


def _batches_sqlite(engine: Engine, stmt: Any) -> Any:
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=BATCH_ROWS).execute(stmt)
        for part in result.partitions():
            cols = list(zip(*part, strict=True))
            yield pa.RecordBatch.from_arrays(
                [pa.array(c, type=(pa.int8() if f.name == "history_known" else f.type))
                 for c, f in zip(cols, _RAW, strict=True)], names=_RAW.names)


def write_extract(engine: Engine, params: ReportParams, path: Path) -> int:
    """Write the extract to ``path`` (all or nothing); returns the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stmt = extract_query(params)
    meta = {YEAR_KEY: str(params.year).encode()}
    rows = 0
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    spool = tmp.with_suffix(".csv")
    try:
        with pq.ParquetWriter(tmp, SCHEMA.with_metadata(meta), compression="zstd") as writer:
            batches = (_batches_postgres(engine, stmt, spool)
                       if engine.dialect.name == "postgresql" else _batches_sqlite(engine, stmt))
            for batch in batches:
                table = _finish(batch).replace_schema_metadata(meta)
                writer.write_table(table)
                rows += table.num_rows
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
        spool.unlink(missing_ok=True)
    return rows
