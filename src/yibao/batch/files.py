"""Batch files: formats, the column check, readers, and an all-or-nothing writer.

Shared by the local engine (``runner.py``) and the Spark engine (``spark_run.py``)
so that both accept the same inputs, refuse the same ones with the same error,
and write byte-for-byte the same kind of output file.

A CSV file is read in UTF-8 or GB 18030 (what Excel saves in Chinese Windows), with or
without a byte-order mark: ``csv_encoding`` finds which, and the command line says so.
Wrong columns are refused with the list of the columns a file may have.
"""

from __future__ import annotations

import codecs
import csv
import functools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from yibao.batch.columns import INPUT_COLUMNS, OUTPUT_SCHEMA
from yibao.errors import InputError

__all__ = ["ENCODINGS", "PARQUET", "REQUIRED_COLUMNS", "check_columns", "check_output",
           "csv_encoding", "file_format", "input_columns", "output_schema", "read_batches",
           "unreadable", "write_output"]

PARQUET = (".parquet", ".pq")
REQUIRED_COLUMNS = ("coverage_year", "payment_date")
#: The encodings a CSV file may have (codec name → words for people), in the order tried.
ENCODINGS = {"utf-8-sig": "UTF-8 (带 BOM / with BOM)", "utf-8": "UTF-8", "gb18030": "GB 18030"}
_BLOCK = 1 << 20


def csv_encoding(src: Path) -> str:
    """``utf-8-sig`` (a byte-order mark), ``utf-8`` or ``gb18030``: the first that decodes
    the whole file; InputError ``unreadable_file`` naming both when neither does."""
    try:
        stat = src.stat()
    except OSError as exc:
        raise unreadable(src, exc) from None
    return _encoding(str(src), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _encoding(name: str, _mtime: int, _size: int) -> str:
    src = Path(name)
    try:
        with src.open("rb") as fh:
            if fh.read(3) == codecs.BOM_UTF8:
                candidates: tuple[str, ...] = ("utf-8-sig",)
            else:
                candidates = ("utf-8", "gb18030")
            for name in candidates:
                fh.seek(0)
                decoder = codecs.getincrementaldecoder(name)()
                try:
                    while block := fh.read(_BLOCK):
                        decoder.decode(block)
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    continue
                return name
    except OSError as exc:
        raise unreadable(src, exc) from None
    raise InputError("unreadable_file",
                     f"无法读取输入文件 {src.name}: 既不是 UTF-8 也不是 GB 18030 编码的文本",
                     f"cannot read the input file {src.name}: neither UTF-8 nor GB 18030 text",
                     field="path")


def check_output(dst: Path) -> None:
    """The output's type is known and its folder exists (before any work is done)."""
    file_format(dst)
    folder = dst.parent
    if not folder.is_dir():
        raise InputError("output_folder_missing",
                         f"输出目录不存在: {folder}(请先创建: mkdir -p {folder})",
                         f"the output folder does not exist: {folder} (create it first: "
                         f"mkdir -p {folder})", field="output")
    if dst.is_dir():
        raise InputError("wrong_path", f"输出路径是一个目录: {dst}(请给出文件名)",
                         f"the output is a folder: {dst} (name a file)", field="output")


def file_format(path: Path) -> str:
    """``parquet`` or ``csv`` by the file name's suffix."""
    suffix = path.suffix.lower()
    if suffix in PARQUET:
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise InputError("unknown_file_type", f"不支持的文件类型: {path.name}(请用 .parquet 或 .csv)",
                     f"unsupported file type: {path.name} (use .parquet or .csv)", field="path")


def _expected() -> tuple[str, str]:
    optional = [c for c in INPUT_COLUMNS if c not in REQUIRED_COLUMNS]
    return (f"必需的列: {', '.join(REQUIRED_COLUMNS)};可选的列: {', '.join(optional)}",
            f"required columns: {', '.join(REQUIRED_COLUMNS)}; optional: {', '.join(optional)}")


def check_columns(names: list[str], keep: tuple[str, ...]) -> None:
    """Unknown columns (not quote keys, not kept), absent kept or required ones stop a run;
    the error lists the columns a file may have."""
    zh, en = _expected()
    unknown = [c for c in names if c not in INPUT_COLUMNS and c not in keep]
    if unknown:
        raise InputError("unknown_columns",
                         f"输入文件含未知列: {', '.join(unknown)}(要原样带到结果中请用 --keep);{zh}",
                         f"unknown input columns: {', '.join(unknown)} (pass --keep to carry "
                         f"them into the output); {en}", field="columns")
    absent = [k for k in keep if k not in names]
    if absent:
        raise InputError("missing_columns", f"输入文件没有要保留的列: {', '.join(absent)}",
                         f"columns to keep are not in the input: {', '.join(absent)}",
                         field="columns")
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise InputError("missing_columns", f"输入文件缺少列: {', '.join(missing)};{zh}",
                         f"the input lacks columns: {', '.join(missing)}; {en}", field="columns")


def input_columns(src: Path, keep: tuple[str, ...]) -> list[str]:
    """The input's column names, checked (file exists, known type, known columns)."""
    fmt = file_format(src)
    if not src.exists():
        raise InputError("file_not_found", f"找不到输入文件: {src}", f"input file not found: {src}",
                         field="path")
    try:
        names: list[str] = pq.read_schema(src).names if fmt == "parquet" else _csv_header(src)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise unreadable(src, exc) from None
    check_columns(names, keep)
    return names


def unreadable(src: Path, exc: BaseException) -> InputError:
    """The input file could not be read (not Parquet/CSV, corrupt, not UTF-8, ...)."""
    return InputError("unreadable_file", f"无法读取输入文件 {src.name}: 文件已损坏或格式不对",
                      f"cannot read the input file {src.name}: {type(exc).__name__}: {exc}",
                      field="path")


def read_batches(src: Path, chunk_rows: int) -> tuple[Iterator[pa.RecordBatch], int | None]:
    """Record batches of a checked input file and its row count when known (Parquet)."""
    if file_format(src) == "parquet":
        pf = pq.ParquetFile(src, memory_map=True)
        return pf.iter_batches(batch_size=chunk_rows), pf.metadata.num_rows
    encoding = csv_encoding(src)
    header = _csv_header(src, encoding)
    reader = pacsv.open_csv(
        src,
        read_options=pacsv.ReadOptions(block_size=8 << 20,
                                       encoding="utf8" if encoding.startswith("utf") else encoding),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in header},
                                             strings_can_be_null=True, null_values=[""]),
    )
    return iter(reader), None


def _csv_header(src: Path, encoding: str | None = None) -> list[str]:
    encoding = encoding or csv_encoding(src)
    with src.open(newline="", encoding="utf-8-sig" if encoding.startswith("utf") else encoding) \
            as fh:
        return next(csv.reader(fh), [])


def output_schema(keep: tuple[str, ...]) -> pa.Schema:
    """The output schema when nothing was quoted (kept columns as text)."""
    schema = OUTPUT_SCHEMA
    for i, name in enumerate(keep):
        schema = schema.insert(i, pa.field(name, pa.string()))
    return schema


def _as_text_labels(table: pa.Table) -> pa.Table:
    return table.cast(pa.schema([
        pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type)
        for f in table.schema]))


def _writer(path: Path, fmt: str, schema: pa.Schema) -> pq.ParquetWriter | pacsv.CSVWriter:
    if fmt == "csv":
        return pacsv.CSVWriter(path, schema)
    labels = [f.name for f in schema if pa.types.is_dictionary(f.type)]
    return pq.ParquetWriter(path, schema, use_dictionary=labels, write_statistics=False)


def write_output(
    tables: Iterable[pa.Table],
    dst: Path,
    empty_schema: pa.Schema,
    *,
    total: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[int, int]:
    """Write ``tables`` to ``dst`` (Parquet or CSV by suffix): (rows, rows with an error).

    Writes to a hidden temporary file renamed into place only when every table
    was written: a failed or interrupted run leaves no output behind.
    """
    fmt = file_format(dst)
    tmp = dst.with_name(f".{dst.name}.part")
    rows = errors = 0
    writer: pq.ParquetWriter | pacsv.CSVWriter | None = None
    try:
        for table in tables:
            if fmt == "csv":
                table = _as_text_labels(table)
            if writer is None:
                writer = _writer(tmp, fmt, table.schema)
            writer.write_table(table)
            rows += table.num_rows
            errors += table.num_rows - table.column("error").null_count
            if progress:
                progress(rows, total)
        if writer is None:
            writer = _writer(tmp, fmt, _as_text_labels(empty_schema.empty_table()).schema
                             if fmt == "csv" else empty_schema)
        writer.close()
        tmp.replace(dst)
    except BaseException:
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)
        raise
    return rows, errors
