"""The ledger's payments of one channel, in one streaming read, as Arrow columns.

PostgreSQL: ``COPY (SELECT …) TO STDOUT`` read straight into Arrow's CSV reader (one
round trip, no Python object per row); SQLite: one query. The statement is then joined
with these rows in Arrow (``matching.py``), the same code on both databases.
"""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import select

from yibao.store.db import Database
from yibao.store.models import Payment, Person

__all__ = ["LEDGER_SCHEMA", "ledger_rows"]

LEDGER_SCHEMA = pa.schema([
    ("txn_id", pa.string()),
    ("l_id_number", pa.string()),
    ("l_year", pa.int32()),
    ("l_fen", pa.int64()),
    ("payment_id", pa.int64()),
    ("person_id", pa.int64()),
    ("l_paid_at", pa.timestamp("us")),
])

_COPY = (
    "COPY (SELECT p.channel_txn_id, pe.id_number, p.coverage_year, p.amount_fen, p.id, "
    "p.person_id, p.paid_at FROM payments p JOIN persons pe ON pe.id = p.person_id "
    "WHERE p.channel = %s AND p.coverage_year BETWEEN %s AND %s) TO STDOUT (FORMAT csv)"
)


def ledger_rows(db: Database, channel: str, years: tuple[int, int]) -> pa.Table:
    """Every payment of ``channel`` with a coverage year in ``years`` (inclusive)."""
    lo, hi = years
    with db.read() as session:
        conn = session.connection()
        if conn.dialect.name == "postgresql":
            raw = conn.connection.driver_connection
            buf = io.BytesIO()
            with raw.cursor() as cur, cur.copy(  # type: ignore[union-attr]
                _COPY, (channel, lo, hi)
            ) as copy:
                for block in copy:
                    buf.write(block)
            buf.seek(0)
            if not buf.getbuffer().nbytes:
                return LEDGER_SCHEMA.empty_table()
            return pacsv.read_csv(
                buf,
                read_options=pacsv.ReadOptions(column_names=LEDGER_SCHEMA.names,
                                               block_size=1 << 24),
                convert_options=pacsv.ConvertOptions(
                    column_types={f.name: f.type for f in LEDGER_SCHEMA},
                    null_values=[""], strings_can_be_null=True,
                    quoted_strings_can_be_null=False),
            )
        rows = conn.execute(
            select(Payment.channel_txn_id, Person.id_number, Payment.coverage_year,
                   Payment.amount_fen, Payment.id, Payment.person_id, Payment.paid_at)
            .join(Person, Person.id == Payment.person_id)
            .where(Payment.channel == channel, Payment.coverage_year.between(lo, hi))
        ).all()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(LEDGER_SCHEMA)
    return pa.table(
        [pa.array(list(c), f.type) for c, f in zip(columns, LEDGER_SCHEMA, strict=True)],
        schema=LEDGER_SCHEMA,
    )
