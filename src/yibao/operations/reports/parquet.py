"""The report computed from a registry extract (:mod:`.extract`) with Arrow compute, no
database: the same definitions as :mod:`.sql`, applied column-wise, grouped by region.

    counts = parquet_counts(Path("extract-2025.parquet"), params)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from yibao.errors import InputError
from yibao.operations.reports.extract import SCHEMA, YEAR_KEY
from yibao.operations.reports.model import (
    COUNT_FIELDS,
    COVERED_STATUSES,
    RegionCounts,
    ReportParams,
    periods_for,
)
from yibao.policy import reference_data as reference

__all__ = ["parquet_counts", "read_extract"]


def read_extract(path: Path, params: ReportParams) -> pa.Table:
    """The extract's rows of the scope; exit 2 / 422 for a file that is not an extract of
    the coverage year."""
    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError("unreadable_file", f"无法读取抽取文件: {path.name}",
                         f"cannot read the extract {path.name}: {exc}", field="from_parquet"
                         ) from None
    meta = pf.schema_arrow.metadata or {}
    if meta.get(YEAR_KEY) != str(params.year).encode():
        found = meta.get(YEAR_KEY, b"?").decode()
        raise InputError("extract_year_mismatch",
                         f"抽取文件是{found}年度的,不是{params.year}年度的",
                         f"the extract is of coverage year {found}, not {params.year}",
                         field="from_parquet")
    table = pf.read(columns=SCHEMA.names)
    codes = params.scope_codes()
    if codes is not None:
        table = table.filter(pc.is_in(table["region"], pa.array(codes)))
    return table.filter(pc.less_equal(table["birth_date"], pa.scalar(params.last_day)))


def _has_year(lists: pa.ChunkedArray, year: int, n: int, *, before: bool = False) -> pa.Array:
    """Per row: the list holds ``year`` (or, ``before``, a year below it)."""
    flat = pc.list_flatten(lists)
    parents = pc.list_parent_indices(lists)
    hit = pc.less(flat, year) if before else pc.equal(flat, year)
    rows = pc.filter(parents, hit).to_numpy(zero_copy_only=False)
    return pa.array(np.bincount(rows, minlength=n)[:n] > 0)


def parquet_counts(path: Path, params: ReportParams) -> dict[str, RegionCounts]:
    """Counts per region of residence from the extract at ``path``."""
    t = read_extract(path, params)
    n = t.num_rows
    y = params.year
    status, start, birth = t["status"], t["benefit_start"], t["birth_date"]
    lists = t["covered_before"]
    paid = pc.fill_null(pc.is_in(status, pa.array(COVERED_STATUSES)), False)
    prev = _has_year(lists, y - 1, n)
    earlier = _has_year(lists, y - 1, n, before=True)
    lapsed = pc.and_kleene(earlier, pc.invert(prev))
    young = pc.greater_equal(birth, pa.scalar(params.first_day.replace(year=y - 1)))
    unknown = pc.and_kleene(pc.and_kleene(pc.invert(t["history_known"]),
                              pc.equal(pc.list_value_length(lists), 0)), pc.invert(young))
    no_start = pc.is_null(start)
    late = pc.or_kleene(no_start, pc.and_kleene(pc.greater(start, pa.scalar(params.first_day)),
                                    pc.greater(start, birth)))
    day = pa.scalar(params.waiting_day)
    waiting = pc.and_kleene(pc.less_equal(birth, day),
                      pc.or_kleene(no_start, pc.greater(start, day)))
    codes = sorted(set(t["region"].to_pylist()) & set(reference.load_regions()))
    periods = periods_for(y, codes)
    known = [c for c in codes if c in periods]
    index = pc.index_in(t["region"], pa.array(known, pa.string()))
    first = pc.take(pa.array([periods[c].start for c in known], pa.timestamp("us")), index)
    end = pc.take(pa.array([periods[c].end for c in known], pa.timestamp("us")), index)
    anchor = t["anchor_paid_at"]
    on_time = pc.fill_null(pc.and_kleene(pc.greater_equal(anchor, first), pc.less(anchor, end)), False)

    def flag(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
        return pc.cast(pc.fill_null(values, False), pa.int64())

    cols = {
        "registered": pa.array(np.ones(n, dtype=np.int64)),
        "paid": flag(paid),
        "underpaid": flag(pc.equal(status, "underpaid")),
        "pending": flag(pc.equal(status, "pending")),
        "on_time": flag(pc.and_kleene(paid, on_time)),
        "lapsed": flag(lapsed),
        "lapsed_paid": flag(pc.and_kleene(lapsed, paid)),
        "history_unknown": flag(unknown),
        "late_start": flag(pc.and_kleene(paid, late)),
        "waiting": flag(pc.and_kleene(paid, waiting)),
        "collected_fen": pc.fill_null(t["net_paid_fen"], 0),
    }
    assert tuple(cols) == COUNT_FIELDS
    grouped = pa.table({"region": t["region"], **cols}).group_by("region").aggregate(
        [(k, "sum") for k in COUNT_FIELDS])
    out: dict[str, RegionCounts] = {}
    for row in grouped.to_pylist():
        out[str(row["region"])] = RegionCounts(*(int(row[f"{k}_sum"]) for k in COUNT_FIELDS))
    return out
