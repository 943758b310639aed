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
from yibao.batch.runner import quote_table
from yibao.policy_files import load_policy
from yibao.rules.policy import Policy

__all__ = ["OUTPUT_DDL", "SPARK_OUTPUT_SCHEMA", "partition_quoter", "quote_partitions"]

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
