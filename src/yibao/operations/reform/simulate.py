"""What-if reforms: a population quoted under the policy in force and under a reform.

    result = simulate(Path("people.parquet"), baseline=load_policy(),
                      reform=policy_with(Path("reform/")))
    result.table()      # per region: persons, totals due, difference, start dates moved

The population is a quote-input file (the columns of ``yibao batch quote``).  Each
record batch is parsed once with :func:`yibao.batch.columns.prepare` and run through the
engine twice (same code path as a batch run); per region the totals are summed in
integer fen.  A row counts as *priced* under a policy when its coverage year's amount
and any back-payment are published there; a row's *start moved* when its first day of
cover differs (or is known under one policy only).
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from yibao.batch.columns import prepare
from yibao.errors import InputError
from yibao.rules.engine import QuoteResults, evaluate_slices
from yibao.rules.policy import Policy

__all__ = ["COLUMNS", "Simulation", "simulate"]

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]
#: per-region counters, in the order of the output columns after region and name
COLUMNS = ("persons", "errors_baseline", "errors_reform", "priced_baseline", "priced_reform",
           "total_due_baseline", "total_due_reform", "difference", "start_moved")
_PERSONS, _ERR_A, _ERR_B, _PRICED_A, _PRICED_B, _DUE_A, _DUE_B, _DIFF, _MOVED = range(9)


@dataclass(frozen=True)
class Simulation:
    """Per-region counters (rows of ``counts`` follow ``Policy.region_codes``)."""

    region_codes: tuple[str, ...]
    region_names: tuple[str, ...]
    counts: I64  # shape (regions, len(COLUMNS)); money in fen
    rows: int
    seconds: float

    def table(self) -> pa.Table:
        """One row per region with persons, then a total row (region ``all``)."""
        used = np.flatnonzero(self.counts[:, _PERSONS] > 0)
        total = self.counts.sum(axis=0)
        columns: dict[str, pa.Array] = {
            "region": pa.array([self.region_codes[i] for i in used] + ["all"], pa.string()),
            "region_name": pa.array([self.region_names[i] for i in used] + ["合计"], pa.string()),
        }
        for j, name in enumerate(COLUMNS):
            values = np.concatenate([self.counts[used, j], total[j:j + 1]])
            columns[name] = pa.array(values, pa.int64())
        return pa.table(columns)


def _batches(src: Path, chunk_rows: int) -> Iterator[pa.RecordBatch]:
    """The population's record batches, read and checked as ``yibao batch quote`` reads its
    input (Parquet, or CSV in UTF-8 or GB 18030; wrong columns listed)."""
    from yibao.batch.files import input_columns, read_batches

    if not src.exists():
        raise InputError("file_not_found", f"找不到人群文件: {src}",
                         f"population file not found: {src}", field="population")
    input_columns(src, ())
    batches, _ = read_batches(src, chunk_rows)
    return batches


def _priced(res: QuoteResults, ok: Bool) -> tuple[Bool, I64]:
    """Rows whose total due is known, and that total (coverage year + back-pay) in fen."""
    back_ok = res.back_pay_known | (res.back_pay_years == 0)
    priced = ok & res.amount_known & back_ok
    due = np.where(priced, res.amount + np.where(res.back_pay_known, res.back_pay, 0), 0)
    return priced, due.astype(np.int64)


def _count(baseline: Policy, reform: Policy, batch: pa.RecordBatch) -> I64:
    """The per-region counters of one record batch."""
    prep_a = prepare(batch, baseline)
    prep_b = prep_a if reform.groups == baseline.groups else prepare(batch, reform)
    counts = np.zeros((len(baseline.region_codes), len(COLUMNS)), dtype=np.int64)
    slices = zip(evaluate_slices(baseline, prep_a.columns, explain=False),
                 evaluate_slices(reform, prep_b.columns, explain=False), strict=True)
    for (start, a), (_, b) in slices:
        stop = start + len(a.error)
        region = prep_a.columns.region_idx[start:stop]
        known = region >= 0
        idx = np.where(known, region, 0)
        ok_a = (prep_a.pre_error[start:stop] == 0) & (a.error == 0)
        ok_b = (prep_b.pre_error[start:stop] == 0) & (b.error == 0)
        priced_a, due_a = _priced(a, ok_a)
        priced_b, due_b = _priced(b, ok_b)
        moved = ok_a & ok_b & ((a.start_known != b.start_known)
                               | (a.start_known & (a.start != b.start)))
        for column, values in ((_PERSONS, known), (_ERR_A, known & ~ok_a),
                               (_ERR_B, known & ~ok_b), (_PRICED_A, known & priced_a),
                               (_PRICED_B, known & priced_b), (_MOVED, known & moved)):
            np.add.at(counts[:, column], idx, values.astype(np.int64))
        np.add.at(counts[:, _DUE_A], idx, np.where(known, due_a, 0))
        np.add.at(counts[:, _DUE_B], idx, np.where(known, due_b, 0))
    counts[:, _DIFF] = counts[:, _DUE_B] - counts[:, _DUE_A]
    return counts


def simulate(population: Path, *, baseline: Policy, reform: Policy, chunk_rows: int = 131_072,
             progress: Callable[[int], None] | None = None) -> Simulation:
    """Quote ``population`` under ``baseline`` and ``reform``; counters per region."""
    if baseline.region_codes != reform.region_codes:
        raise InputError("reform_regions", "改革方案的地区与现行政策不一致",
                         "the reform's regions differ from the policy in force", field="reform")
    started = time.perf_counter()
    total = np.zeros((len(baseline.region_codes), len(COLUMNS)), dtype=np.int64)
    rows = 0
    workers = os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[tuple[int, Future[I64]]] = deque()
        for batch in _batches(population, chunk_rows):
            pending.append((batch.num_rows, pool.submit(_count, baseline, reform, batch)))
            while len(pending) > 2 * workers or (pending and pending[0][1].done()):
                n, future = pending.popleft()
                total += future.result()
                rows += n
                if progress:
                    progress(rows)
        while pending:
            n, future = pending.popleft()
            total += future.result()
            rows += n
            if progress:
                progress(rows)
    names = tuple(baseline.regions[c].name for c in baseline.region_codes)
    return Simulation(baseline.region_codes, names, total, rows, time.perf_counter() - started)
