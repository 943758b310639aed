"""Spark adapter: the same batch quote as a ``mapInArrow`` function, for many machines.

    from yibao.batch.spark import OUTPUT_DDL, quote_partitions
    people = spark.read.parquet("hdfs:///guangxi/2026/people")
    quotes = people.mapInArrow(quote_partitions, OUTPUT_DDL)
    quotes.write.parquet("hdfs:///guangxi/2026/quotes")

Each executor runs the rules engine on its partitions' Arrow record batches; no
row ever passes through Python objects.  yibao must be installed on the executors.
``partition_quoter(policy, keep)`` makes such a function that carries the driver's
policy (so every executor quotes with the figures the driver loaded) and kept columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa

from yibao.batch.columns import INPUT_COLUMNS, OUTPUT_SCHEMA
from yibao.batch.quote import quote_table
from yibao.policy.files import load_policy
from yibao.rules.policy import Policy

__all__ = ["OUTPUT_DDL", "PARTS_DDL", "SPARK_OUTPUT_SCHEMA", "partition_quoter", "partition_writer",
           "quote_partitions"]

_SPARK_TYPES = {pa.int64(): "bigint", pa.int32(): "int", pa.date32(): "date"}
#: The output schema in Spark's DDL (labels as plain strings), for ``mapInArrow``.
OUTPUT_DDL = ", ".join(
    f"{f.name} {_SPARK_TYPES.get(f.type, 'string')}" for f in OUTPUT_SCHEMA
)
#: What the mapInArrow function returns: labels as plain strings.
SPARK_OUTPUT_SCHEMA = pa.schema([
    pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type)
    for f in OUTPUT_SCHEMA
])

PartitionFunction = Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]


def _quote(batches: Iterator[pa.RecordBatch], policy: Policy,
           keep: tuple[str, ...]) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        names = [c for c in batch.schema.names if c in INPUT_COLUMNS or c in keep]
        table = quote_table(batch.select(names), policy, keep)
        schema = pa.schema([*(table.schema.field(k) for k in keep), *SPARK_OUTPUT_SCHEMA])
        yield from table.cast(schema).to_batches()


def quote_partitions(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Quote every record batch of a partition (the ``mapInArrow`` contract)."""
    return _quote(batches, load_policy(), ())


def partition_quoter(policy: Policy, keep: tuple[str, ...] = ()) -> PartitionFunction:
    """A ``mapInArrow`` function quoting with ``policy`` and carrying ``keep`` columns first."""

    def quote(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _quote(batches, policy, keep)

    return quote


#: What each task of ``partition_writer`` returns: one row per partition.
PARTS_DDL = ("partition int, attempt int, path string, file int, first_block bigint, "
             "last_block bigint, in_order boolean, rows bigint")


def partition_writer(policy: Policy, folder: str, keep: tuple[str, ...] = (),
                     tags: tuple[str, str] | None = None) -> PartitionFunction:
    """A ``mapInArrow`` function that writes a partition's quotes to an Arrow file in ``folder``.

    The file holds the local engine's output table as it is (labels dictionary-encoded),
    so the driver copies it into the output without converting anything.
    It returns one row (``PARTS_DDL``) naming the file, so the driver reads only the
    files of tasks that succeeded.  ``tags`` names two columns, each row's file (a
    hash of its path) and split start, reported for the driver to check the order:
    ``in_order`` is false when the file changes or a split start goes back.
    """

    def write(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        ctx = TaskContext.get()
        part, attempt = (ctx.partitionId(), ctx.attemptNumber()) if ctx else (0, 0)
        path = f"{folder}/part-{part:05d}-{attempt}.arrow"
        first = last = -1
        file: int | None = None
        in_order, rows = True, 0
        writer: pa.ipc.RecordBatchStreamWriter | None = None
        options = pa.ipc.IpcWriteOptions(compression="lz4")
        try:
            for batch in batches:
                if tags is not None and batch.num_rows:
                    files = batch.column(tags[0]).to_numpy()
                    starts = batch.column(tags[1]).to_numpy()
                    file = int(files[0]) if file is None else file
                    in_order &= bool((files == file).all() and starts[0] >= last
                                     and (starts[1:] >= starts[:-1]).all())
                    first = int(starts[0]) if first < 0 else first
                    last = int(starts[-1])
                names = [c for c in batch.schema.names if c in INPUT_COLUMNS or c in keep]
                out = quote_table(batch.select(names), policy, keep)  # labels stay dictionaries
                if writer is None:
                    writer = pa.ipc.new_stream(path, out.schema, options=options)
                writer.write_table(out)
                rows += out.num_rows
        finally:
            if writer is not None:
                writer.close()
        yield pa.RecordBatch.from_pylist([{
            "partition": part, "attempt": attempt, "path": path if writer else "",
            "file": file or 0, "first_block": first, "last_block": last, "in_order": in_order, "rows": rows,
        }], schema=_PARTS_SCHEMA)

    return write


_PARTS_SCHEMA = pa.schema([("partition", pa.int32()), ("attempt", pa.int32()),
                           ("path", pa.string()), ("file", pa.int32()),
                           ("first_block", pa.int64()),
                           ("last_block", pa.int64()), ("in_order", pa.bool_()),
                           ("rows", pa.int64())])
