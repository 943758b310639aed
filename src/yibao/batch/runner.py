"""Run the engine over a Parquet or CSV file and write Parquet or CSV.

    summary = run_batch(Path("people.parquet"), Path("quotes.parquet"))

Reads in record batches (bounded memory), quotes them in one worker process per
core (``workers.py``), keeps the input order, and writes to a temporary file that is
renamed into place only when the whole run succeeded: an interrupted run never
leaves a half-written output.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from yibao.batch.files import (
    file_format,
    input_columns,
    output_schema,
    read_batches,
    unreadable,
    write_output,
)
from yibao.batch.quote import quote_table
from yibao.batch.workers import QuotePool, RowGroup, fork_available
from yibao.policy.files import load_policy
from yibao.rules.policy import Policy

__all__ = ["BatchSummary", "run_batch"]

#: Larger row groups are read here and sent to the workers in batches (bounded memory).
MAX_WORKER_ROW_GROUP = 1 << 20


@dataclass(frozen=True)
class BatchSummary:
    """What a run did."""

    rows: int
    errors: int
    seconds: float


#: Input columns of few distinct values, read as dictionaries when the file stores them so.
DICTIONARY_COLUMNS = ("region", "special_group")


def _dictionaries(meta: pq.FileMetaData, keep: tuple[str, ...]) -> tuple[str, ...]:
    """Of :data:`DICTIONARY_COLUMNS`, the string columns the file dictionary-encodes (read
    as dictionaries, their values are decoded and parsed once per row group, not per row;
    a column kept in the output keeps its type)."""
    schema = meta.schema.to_arrow_schema()
    first = meta.row_group(0)
    encoded = {first.column(i).path_in_schema for i in range(first.num_columns)
               if first.column(i).has_dictionary_page}
    return tuple(name for name in DICTIONARY_COLUMNS
                 if name in encoded and name not in keep
                 and pa.types.is_string(schema.field(name).type))


def _row_groups(src: Path, chunk_rows: int, keep: tuple[str, ...]) -> list[RowGroup] | None:
    """Row groups for the workers to read themselves (a Parquet file of several, none huge)."""
    if file_format(src) != "parquet":
        return None
    meta = pq.read_metadata(src)
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    if len(sizes) < 2 or max(sizes) > MAX_WORKER_ROW_GROUP:
        return None
    dictionaries = _dictionaries(meta, keep)
    return [RowGroup(str(src), i, chunk_rows, dictionaries) for i in range(len(sizes))]


def _tables(src: Path, chunk_rows: int, policy: Policy, keep: tuple[str, ...],
            workers: int) -> Generator[pa.Table, None, None]:
    """Output tables in input order: in worker processes when there is more than one batch.

    The workers read a Parquet file's row groups themselves; otherwise this process
    reads and hands them record batches.
    """
    parallel = workers > 1 and fork_available()
    groups = _row_groups(src, chunk_rows, keep) if parallel else None
    batches, _ = read_batches(src, chunk_rows)
    head = [] if groups else list(itertools.islice(batches, 2))
    if not groups and (len(head) < 2 or not parallel):
        for batch in itertools.chain(head, batches):
            yield quote_table(batch, policy, keep)
        return
    with QuotePool(policy, keep, workers=workers) as pool:
        yield from pool.map(iter(groups) if groups else itertools.chain(head, batches))


def run_batch(
    src: Path,
    dst: Path,
    *,
    chunk_rows: int = 131_072,
    keep: tuple[str, ...] = (),
    progress: Callable[[int, int | None], None] | None = None,
    workers: int | None = None,
) -> BatchSummary:
    """Quote every row of ``src`` into ``dst``; a bad row gets an ``error``, never stops the run.

    ``workers`` processes quote (default: one per core; 1 quotes in this process).
    """
    started = time.perf_counter()
    file_format(dst)
    input_columns(src, keep)
    total = pq.read_metadata(src).num_rows if file_format(src) == "parquet" else None
    policy = load_policy()
    try:
        with closing(_tables(src, chunk_rows, policy, keep,
                             workers or os.cpu_count() or 1)) as tables:
            rows, errors = write_output(tables, dst, output_schema(keep), total=total,
                                        progress=progress)
    except pa.ArrowInvalid as exc:  # a damaged file found while reading (nothing was written)
        raise unreadable(src, exc) from None
    return BatchSummary(rows=rows, errors=errors, seconds=time.perf_counter() - started)
