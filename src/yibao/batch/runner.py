"""Run the engine over a Parquet or CSV file and write Parquet or CSV.

    summary = run_batch(Path("people.parquet"), Path("quotes.parquet"))

Reads in record batches (bounded memory), quotes two batches at a time on the
machine's cores, keeps the input order, and writes to a temporary file that is
renamed into place only when the whole run succeeded: an interrupted run never
leaves a half-written output.
"""

from __future__ import annotations

import csv
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from yibao.batch.columns import INPUT_COLUMNS, OUTPUT_SCHEMA, prepare, results_table
from yibao.errors import InputError
from yibao.policy_files import load_policy
from yibao.rules.engine import evaluate_slices
from yibao.rules.policy import Policy

__all__ = ["BatchSummary", "quote_table", "run_batch"]

PARQUET = (".parquet", ".pq")


@dataclass(frozen=True)
class BatchSummary:
    """What a run did."""

    rows: int
    errors: int
    seconds: float


def _fmt(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in PARQUET:
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise InputError("unknown_file_type", f"不支持的文件类型: {path.name}(请用 .parquet 或 .csv)",
                     f"unsupported file type: {path.name} (use .parquet or .csv)", field="path")


def _check_columns(names: list[str], keep: tuple[str, ...]) -> None:
    unknown = [c for c in names if c not in INPUT_COLUMNS and c not in keep]
    if unknown:
        raise InputError("unknown_columns", f"输入文件含未知列: {', '.join(unknown)}(可用 --keep 保留)",
                         f"unknown input columns: {', '.join(unknown)} (pass --keep to carry them)",
                         field="columns")
    if "coverage_year" not in names or "payment_date" not in names:
        raise InputError("missing_columns", "输入文件须含 coverage_year 和 payment_date 列",
                         "the input needs coverage_year and payment_date columns", field="columns")


def _batches(src: Path, chunk_rows: int, keep: tuple[str, ...]) -> tuple[Iterator[pa.RecordBatch], int | None]:
    if _fmt(src) == "parquet":
        pf = pq.ParquetFile(src, memory_map=True)
        _check_columns(pf.schema_arrow.names, keep)
        return pf.iter_batches(batch_size=chunk_rows), pf.metadata.num_rows
    with src.open(newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), [])
    _check_columns(header, keep)
    reader = pacsv.open_csv(
        src,
        read_options=pacsv.ReadOptions(block_size=8 << 20, encoding="utf8"),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in header},
                                             strings_can_be_null=True),
    )
    return iter(reader), None


def quote_table(batch: pa.RecordBatch, policy: Policy, keep: tuple[str, ...] = ()) -> pa.Table:
    """The output table of one record batch (kept columns first)."""
    prepared = prepare(batch, policy)
    table = pa.concat_tables([
        results_table(prepared, res, start)
        for start, res in evaluate_slices(policy, prepared.columns, explain=False)
    ])
    for i, name in enumerate(keep):
        table = table.add_column(i, name, batch.column(name))
    return table


def _tables(batches: Iterator[pa.RecordBatch], policy: Policy,
            keep: tuple[str, ...]) -> Iterator[pa.Table]:
    """Output tables in input order, two batches in flight per core (numpy and Arrow release the GIL)."""
    workers = os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[pa.Table]] = deque()
        for batch in batches:
            pending.append(pool.submit(quote_table, batch, policy, keep))
            if len(pending) > 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _writer(path: Path, fmt: str, schema: pa.Schema) -> pq.ParquetWriter | pacsv.CSVWriter:
    if fmt == "csv":
        return pacsv.CSVWriter(path, schema)
    labels = [f.name for f in schema if pa.types.is_dictionary(f.type)]
    return pq.ParquetWriter(path, schema, use_dictionary=labels, write_statistics=False)


def run_batch(
    src: Path,
    dst: Path,
    *,
    chunk_rows: int = 131_072,
    keep: tuple[str, ...] = (),
    progress: Callable[[int, int | None], None] | None = None,
) -> BatchSummary:
    """Quote every row of ``src`` into ``dst``; a bad row gets an ``error``, never stops the run."""
    started = time.perf_counter()
    out_fmt = _fmt(dst)
    if not src.exists():
        raise InputError("file_not_found", f"找不到输入文件: {src}", f"input file not found: {src}",
                         field="path")
    batches, total = _batches(src, chunk_rows, keep)
    policy = load_policy()
    tmp = dst.with_name(f".{dst.name}.part")
    schema = OUTPUT_SCHEMA
    for i, name in enumerate(keep):
        schema = schema.insert(i, pa.field(name, pa.string()))
    rows = errors = 0
    writer: pq.ParquetWriter | pacsv.CSVWriter | None = None
    try:
        for table in _tables(batches, policy, keep):
            if out_fmt == "csv":
                table = table.cast(pa.schema([
                    pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type)
                    for f in table.schema]))
            if writer is None:
                writer = _writer(tmp, out_fmt, table.schema)
            writer.write_table(table)
            rows += table.num_rows
            errors += table.num_rows - table.column("error").null_count
            if progress:
                progress(rows, total)
        if writer is None:
            writer = _writer(tmp, out_fmt, schema)
        writer.close()
        tmp.replace(dst)
    except BaseException:
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)
        raise
    return BatchSummary(rows=rows, errors=errors, seconds=time.perf_counter() - started)

