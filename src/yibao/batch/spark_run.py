"""The Spark engine of ``yibao batch quote --engine spark [--master URL]``.

    summary = run_spark(Path("people.parquet"), Path("quotes.parquet"), master="local[*]")

Spark reads the input, orders the rows as in the input (file, split, position:
the row index), quotes them with ``mapInArrow`` on the executors and writes
ordered Parquet parts to a scratch folder beside the output; the driver then
streams the parts into one Parquet or CSV file through the same writer as the
local engine, so both engines write the same file.  Input and output paths must
be visible to the driver and the executors (local mode, or a shared file system).
For HDFS or S3, ``quote_dataframe`` is the same quote on a DataFrame (docs/scale.md).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from yibao.batch.columns import OUTPUT_SCHEMA
from yibao.batch.files import file_format, input_columns, output_schema, write_output
from yibao.batch.runner import BatchSummary
from yibao.batch.spark import OUTPUT_DDL, partition_quoter
from yibao.errors import InputError
from yibao.policy_files import load_policy
from yibao.rules.policy import Policy

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["quote_dataframe", "run_spark", "spark_session"]

_ROW_KEY = ("__yibao_file", "__yibao_block", "__yibao_row")
_LABELS = [f.name for f in OUTPUT_SCHEMA if pa.types.is_dictionary(f.type)]
#: Settings the engine needs; ``conf`` given to ``spark_session`` overrides them.
DEFAULT_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "131072",
}


def _unavailable(message: str, message_en: str) -> InputError:
    return InputError("spark_unavailable", message, message_en, field="engine")


def spark_session(master: str = "local[*]", conf: Mapping[str, str] | None = None) -> SparkSession:
    """A SparkSession for batch quotes (Python workers run this interpreter in local mode)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise _unavailable("未安装 PySpark: pip install 'yibao[spark]'",
                           "PySpark is not installed: pip install 'yibao[spark]'") from None
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        raise _unavailable("Spark 需要 Java 17 或更新版本(找不到 java)",
                           "Spark needs Java 17 or newer (java not found)")
    settings = dict(DEFAULT_CONF)
    if master.startswith("local"):
        # PySpark starts its Python workers with $PYSPARK_PYTHON, else whatever python3 is first
        # on PATH: in local mode, that must be this interpreter (where yibao is installed)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        settings["spark.ui.enabled"] = "false"
    settings.update(conf or {})
    builder = SparkSession.builder.master(master).appName("yibao batch quote")
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _read(spark: SparkSession, src: str, fmt: str) -> DataFrame:
    if fmt == "parquet":
        return spark.read.parquet(src)
    # every column as text, an empty cell absent: what the local engine reads
    return spark.read.options(header=True, inferSchema=False, encoding="UTF-8",
                              nullValue="", mode="FAILFAST").csv(src)


def quote_dataframe(df: DataFrame, policy: Policy | None = None,
                    keep: tuple[str, ...] = ()) -> DataFrame:
    """Quotes of a file-backed DataFrame, one row per input row, partitions in input order.

    Rows are ordered by (file, split start, position in the split) before quoting,
    so the output's parts, read in name order, hold the rows in the input's order.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import StructType

    names = df.columns
    ordered = df.select(
        "*",
        F.col("_metadata.file_path").alias(_ROW_KEY[0]),
        F.col("_metadata.file_block_start").alias(_ROW_KEY[1]),
        F.monotonically_increasing_id().alias(_ROW_KEY[2]),
    ).orderBy(*_ROW_KEY).select(*names)
    quoted = StructType.fromDDL(OUTPUT_DDL)
    assert isinstance(quoted, StructType)
    schema = StructType([*(df.schema[k] for k in keep), *quoted.fields])
    return ordered.mapInArrow(partition_quoter(policy or load_policy(), keep), schema)


def _as_local_output(table: pa.Table) -> pa.Table:
    """Labels dictionary-encoded, as the local engine writes them."""
    for name in _LABELS:
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, pc.dictionary_encode(table.column(name)))
    return table


def _parts(folder: Path, chunk_rows: int) -> Iterator[pa.Table]:
    for part in sorted(folder.glob("part-*.parquet")):
        for batch in pq.ParquetFile(part).iter_batches(batch_size=chunk_rows):
            table = pa.Table.from_batches([batch]).replace_schema_metadata(None)
            yield _as_local_output(table)


def run_spark(
    src: Path,
    dst: Path,
    *,
    master: str = "local[*]",
    keep: tuple[str, ...] = (),
    conf: Mapping[str, str] | None = None,
    spark: SparkSession | None = None,
    chunk_rows: int = 131_072,
    progress: Callable[[int, int | None], None] | None = None,
) -> BatchSummary:
    """Quote every row of ``src`` into ``dst`` on Spark; same rows and order as ``run_batch``."""
    started = time.perf_counter()
    file_format(dst)
    input_columns(src, keep)
    policy = load_policy()
    session = spark or spark_session(master, conf)
    scratch = dst.with_name(f".{dst.name}.spark")
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        df = _read(session, str(src.resolve()), file_format(src))
        quote_dataframe(df, policy, keep).write.mode("overwrite").parquet(str(scratch.resolve()))
        total = sum(pq.ParquetFile(p).metadata.num_rows for p in scratch.glob("part-*.parquet"))
        rows, errors = write_output(_parts(scratch, chunk_rows), dst, output_schema(keep),
                                    total=total, progress=progress)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return BatchSummary(rows=rows, errors=errors, seconds=time.perf_counter() - started)
