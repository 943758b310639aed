"""The Spark engine of ``yibao batch quote --engine spark [--master URL]``.

    summary = run_spark(Path("people.parquet"), Path("quotes.parquet"), master="local[*]")

Spark reads the input file in partitions (splits, in file order), each task
quotes its rows with ``mapInArrow`` and writes them to an Arrow file in a
scratch folder beside the output, and the driver streams those files, in
partition order, into one Parquet or CSV file through the local engine's writer:
both engines write the same file.  The tasks report the file and split starts
they saw; were they ever out of order, the quotes are written again from rows
sorted by (file, split start, position).  Input and output paths must be visible
to the driver and the executors (local mode, or a shared file system).  For HDFS
or S3, ``quote_dataframe`` is the same quote on a DataFrame (docs/scale.md).
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from yibao.batch.files import (
    csv_encoding,
    file_format,
    input_columns,
    output_schema,
    write_output,
)
from yibao.batch.runner import BatchSummary
from yibao.batch.spark import OUTPUT_DDL, PARTS_DDL, partition_quoter, partition_writer
from yibao.errors import InputError
from yibao.policy.files import load_policy
from yibao.rules.policy import Policy

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["quote_dataframe", "run_spark", "spark_session"]

_ROW_KEY = ("__yibao_file", "__yibao_block", "__yibao_row")
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
        settings["spark.driver.host"] = settings["spark.driver.bindAddress"] = "127.0.0.1"
    settings.update(conf or {})
    builder = SparkSession.builder.master(master).appName("yibao batch quote")
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _read(spark: SparkSession, src: str, fmt: str) -> DataFrame:
    if fmt == "parquet":
        return spark.read.parquet(src)
    # every column as text, an empty cell absent, in the encoding the local engine found
    encoding = "UTF-8"
    if csv_encoding(Path(src)) == "gb18030":  # Spark 4 names only Unicode charsets unless told
        spark.conf.set("spark.sql.legacy.javaCharsets", "true")
        encoding = "GB18030"
    return spark.read.options(header=True, inferSchema=False, encoding=encoding,
                              nullValue="", mode="FAILFAST").csv(src)


def _in_file_order(df: DataFrame) -> DataFrame:
    """Rows ordered by (file, split start, position in the split): the input's order."""
    from pyspark.sql import functions as F

    return df.select(
        "*",
        F.col("_metadata.file_path").alias(_ROW_KEY[0]),
        F.col("_metadata.file_block_start").alias(_ROW_KEY[1]),
        F.monotonically_increasing_id().alias(_ROW_KEY[2]),
    ).orderBy(*_ROW_KEY).select(*df.columns)


def quote_dataframe(df: DataFrame, policy: Policy | None = None,
                    keep: tuple[str, ...] = ()) -> DataFrame:
    """Quotes of a file-backed DataFrame, one row per input row, partitions in input order.

    Rows are ordered by (file, split start, position in the split) before quoting,
    so the output's parts, read in name order, hold the rows in the input's order.
    """
    from pyspark.sql.types import StructType

    quoted = StructType.fromDDL(OUTPUT_DDL)
    assert isinstance(quoted, StructType)
    schema = StructType([*(df.schema[k] for k in keep), *quoted.fields])
    return _in_file_order(df).mapInArrow(partition_quoter(policy or load_policy(), keep), schema)


def _write_parts(df: DataFrame, policy: Policy, keep: tuple[str, ...],
                 folder: Path) -> list[dict[str, object]]:
    """Quote ``df`` into Arrow files in ``folder``; the parts in input order.

    Spark splits one file into partitions in file order, so no shuffle is needed;
    each task reports the file and split starts it saw, and if there was more than
    one file or they are not in order after all, the quotes are written again from
    rows sorted by (file, split start, position).
    """
    from pyspark.sql import functions as F

    tagged = df.select(*df.columns, F.hash("_metadata.file_path").alias(_ROW_KEY[0]),
                       F.col("_metadata.file_block_start").alias(_ROW_KEY[1]))
    writer = partition_writer(policy, str(folder.resolve()), keep, tags=_ROW_KEY[:2])
    parts = sorted((r.asDict() for r in tagged.mapInArrow(writer, PARTS_DDL).collect()),
                   key=lambda r: int(str(r["partition"])))
    full = [r for r in parts if r["rows"]]
    if all(r["in_order"] for r in full) and len({r["file"] for r in full}) <= 1 and all(
            int(str(a["last_block"])) <= int(str(b["first_block"]))
            for a, b in itertools.pairwise(full)):
        return full
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    writer = partition_writer(policy, str(folder.resolve()), keep)
    parts = sorted((r.asDict() for r in _in_file_order(df).mapInArrow(writer, PARTS_DDL)
                    .collect()), key=lambda r: int(str(r["partition"])))
    return [r for r in parts if r["rows"]]


def _parts(parts: list[dict[str, object]]) -> Iterator[pa.Table]:
    for part in parts:
        with pa.OSFile(str(part["path"])) as source:
            for batch in pa.ipc.open_stream(source):
                yield pa.Table.from_batches([batch])


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
    if src.is_dir():
        raise InputError("not_a_file", f"输入须是一个文件: {src}", f"the input must be one file: {src}",
                         field="path")
    input_columns(src, keep)
    policy = load_policy()
    session = spark or spark_session(master, conf)
    session.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(chunk_rows))
    scratch = dst.with_name(f".{dst.name}.spark")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    try:
        df = _read(session, str(src.resolve()), file_format(src))
        parts = _write_parts(df, policy, keep, scratch)
        total = sum(int(str(p["rows"])) for p in parts)
        rows, errors = write_output(_parts(parts), dst, output_schema(keep), total=total,
                                    progress=progress)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return BatchSummary(rows=rows, errors=errors, seconds=time.perf_counter() - started)
