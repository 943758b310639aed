"""Spark adapter: the same batch quote as a ``mapInArrow`` function, for many machines.

    from yibao.batch.spark import OUTPUT_DDL, quote_partitions
    people = spark.read.parquet("hdfs:///guangxi/2026/people")
    quotes = people.mapInArrow(quote_partitions, OUTPUT_DDL)
    quotes.write.parquet("hdfs:///guangxi/2026/quotes")

Each executor runs the rules engine on its partitions' Arrow record batches; no
row ever passes through Python objects.  yibao must be installed on the executors.
Input columns beyond the quote keys are carried through unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from yibao.batch.columns import INPUT_COLUMNS, OUTPUT_SCHEMA
from yibao.batch.runner import quote_table
from yibao.policy_files import load_policy

__all__ = ["OUTPUT_DDL", "quote_partitions"]

_SPARK_TYPES = {pa.int64(): "bigint", pa.int32(): "int", pa.date32(): "date"}
#: The output schema in Spark's DDL (labels as plain strings), for ``mapInArrow``.
OUTPUT_DDL = ", ".join(
    f"{f.name} {_SPARK_TYPES.get(f.type, 'string')}" for f in OUTPUT_SCHEMA
)


def quote_partitions(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Quote every record batch of a partition (the ``mapInArrow`` contract)."""
    policy = load_policy()
    for batch in batches:
        table = quote_table(batch.select([c for c in batch.schema.names if c in INPUT_COLUMNS]),
                            policy)
        table = table.cast(pa.schema([
            pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type)
            for f in table.schema]))
        yield from table.to_batches()
