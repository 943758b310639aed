"""A channel's statement file (CSV or .xlsx) read into typed Arrow columns.

    st = read_statement(Path("wechat-2025-01.csv"), layout("wechat_city_service"))
    st.table   # line, txn_id, id_number, name, amount_fen, paid_at, coverage_year, collected

Every cell is read as text and checked column by column (whole-column Arrow operations):
amounts are decimal strings in yuan cast to ``decimal128`` and then to integer fen (never
a float); an Excel number cell is written as its shortest decimal text first. A file
that cannot be read, a mapped column that is missing, or a line that does not parse
raises :class:`InputError` naming the line and the column, never the cell's value
(cells hold ID numbers).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from yibao.errors import InputError
from yibao.operations.reconcile.formats import Layout

__all__ = ["MAX_TXN_ID", "Statement", "read_statement", "statement_error"]

#: The ledger's ``channel_txn_id`` holds at most this many characters.
MAX_TXN_ID = 64
_REQUIRED = ("txn_id", "id_number", "amount", "paid_at", "coverage_year")
_WHAT = {
    "txn_id": ("须为不超过 64 个字符的交易号", "must be a transaction id of at most 64 characters"),
    "id_number": ("须为 18 位身份证号码", "must be an 18-character ID number"),
    "amount": ("须为以元为单位的金额，最多两位小数，如 400.00",
               "must be an amount in yuan with at most 2 decimals, such as 400.00"),
    "paid_at": ("日期时间与约定格式不符", "does not match the agreed date format"),
    "coverage_year": ("须为 1900–2100 之间的年度", "must be a year between 1900 and 2100"),
}


@dataclass(frozen=True, slots=True)
class Statement:
    """A statement read and checked: the typed table, the file's SHA-256 and name."""

    table: pa.Table
    digest: str
    file_name: str


def statement_error(code: str, zh: str, en: str) -> InputError:
    return InputError(code, zh, en, field="statement")


def _unreadable(path: Path, zh: str, en: str) -> InputError:
    return statement_error("statement_unreadable", f"无法读取对账单 {path.name}：{zh}",
                           f"cannot read statement {path.name}: {en}")


def read_statement(path: Path, layout: Layout) -> Statement:
    """Read and check ``path`` with ``layout``; :class:`InputError` when anything is wrong."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise _unreadable(path, "只支持 .csv 与 .xlsx 文件", "only .csv and .xlsx files are read")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, "文件不存在或无权读取", exc.strerror or type(exc).__name__) from None
    digest = hashlib.sha256(data).hexdigest()
    if suffix == ".csv":
        raw, lines = _read_csv(path, data, layout)
    else:
        raw, lines = _read_xlsx(path, data, layout)
    return Statement(_typed(raw, lines, layout), digest, path.name)


def _check_header(path: Path, header: list[str], layout: Layout) -> None:
    names = [h.strip() for h in header]
    missing = [c for c in layout.columns.mapped().values() if c not in names]
    if missing:
        shown = "、".join(missing)
        raise statement_error(
            "statement_column_missing",
            f"对账单 {path.name} 第 {layout.header_row} 行（表头）缺少列：{shown}"
            f"（渠道“{layout.channel}”的约定格式）",
            f"statement {path.name} line {layout.header_row} (header) lacks column(s) "
            f"{', '.join(missing)} of channel {layout.channel}'s layout",
        )


def _decoded(data: bytes, encoding: str) -> str:
    """The statement as text: with a UTF-8 byte-order mark, UTF-8; else strict UTF-8 if the
    bytes are UTF-8 (GB 18030 would read almost any bytes, as nonsense), else GB 18030 (a
    file saved from Excel on a Chinese Windows is GB 18030 whatever the layout says); the
    error of the layout's own encoding when neither reads."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig")
    for candidate in ("utf-8", "gb18030"):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    return data.decode(encoding)


def _read_csv(path: Path, data: bytes, layout: Layout) -> tuple[pa.Table, pa.Array]:
    encoding = "utf-8-sig" if layout.encoding.startswith("utf-8") else layout.encoding
    try:
        text = _decoded(data, encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _unreadable(path, f"第 {line} 行不是 {layout.encoding} 编码的文字",
                          f"line {line} is not {layout.encoding} text") from None
    head = text.split("\n", layout.header_row)
    if len(head) < layout.header_row or not head[layout.header_row - 1].strip():
        raise _unreadable(path, f"第 {layout.header_row} 行没有表头",
                          f"no header at line {layout.header_row}")
    header = next(csv.reader([head[layout.header_row - 1].rstrip("\r")]))
    _check_header(path, header, layout)
    body = head[layout.header_row] if len(head) > layout.header_row else ""
    mapped = layout.columns.mapped()
    bad: list[str] = []

    def invalid(row: Any) -> str:  # row.number is None when parsing with threads
        bad.append(str(row.text))
        return "skip"

    utf8 = body.encode("utf-8")
    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(column_names=[h.strip() for h in header],
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(mapped.values()),
                column_types=dict.fromkeys(mapped.values(), pa.string()),
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid as exc:
        raise _unreadable(path, "不是有效的 CSV 文件", f"not a valid CSV file ({type(exc).__name__})"
                          ) from None
    if bad:
        wrong = set(bad)
        line = layout.header_row + 1 + next(
            (i for i, t in enumerate(body.split("\n")) if t.rstrip("\r") in wrong), 0)
        raise statement_error(
            "statement_bad_line",
            f"对账单 {path.name} 第 {line} 行的列数与表头不符（共 {len(bad)} 行）",
            f"statement {path.name} line {line}: the number of columns differs from the header "
            f"({len(bad)} such lines)")
    lines = _csv_line_numbers(body, layout.header_row, table.num_rows)
    return table.rename_columns(list(mapped)), lines


def _csv_line_numbers(body: str, header_row: int, rows: int) -> pa.Array:
    """The file line of each data row (blank lines are skipped by the reader)."""
    if "\n\n" not in body and "\n\r\n" not in body and not body.startswith(("\n", "\r\n")):
        return pa.array(range(header_row + 1, header_row + 1 + rows), pa.int64())
    numbers = [header_row + 1 + i for i, text in enumerate(body.split("\n")) if text.strip()]
    return pa.array(numbers[:rows], pa.int64())


def _cell(value: Any, date_format: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime(date_format)
    return str(value)


def _read_xlsx(path: Path, data: bytes, layout: Layout) -> tuple[pa.Table, pa.Array]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows: list[list[Any]] = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own errors for damaged files
        raise _unreadable(path, "不是有效的 Excel (.xlsx) 文件",
                          f"not a valid Excel (.xlsx) file ({type(exc).__name__})") from None
    if len(rows) < layout.header_row:
        raise _unreadable(path, f"第 {layout.header_row} 行没有表头",
                          f"no header at row {layout.header_row}")
    header = [_cell(v, layout.date_format).strip() for v in rows[layout.header_row - 1]]
    _check_header(path, header, layout)
    mapped = layout.columns.mapped()
    where = {field: header.index(name) for field, name in mapped.items()}
    columns: dict[str, list[str]] = {field: [] for field in mapped}
    numbers: list[int] = []
    for n, row in enumerate(rows[layout.header_row:], start=layout.header_row + 1):
        cells = [_cell(v, layout.date_format) for v in row]
        if not any(c.strip() for c in cells):
            continue
        numbers.append(n)
        for field, i in where.items():
            columns[field].append(cells[i] if i < len(cells) else "")
    table = pa.table({f: pa.array(v, pa.string()) for f, v in columns.items()})
    return table, pa.array(numbers, pa.int64())


def _first_bad(ok: pa.Array, lines: pa.Array, field: str, layout: Layout) -> None:
    ok = pc.fill_null(ok, False)
    bad = len(ok) - pc.sum(ok).as_py() if len(ok) else 0
    if not bad:
        return
    index = pc.index(ok, False).as_py()
    line = lines[index].as_py()
    column = layout.columns.mapped()[field]
    zh, en = _WHAT.get(field, ("无法识别", "cannot be read"))
    empty = field in _REQUIRED
    raise statement_error(
        "statement_bad_value",
        f"对账单第 {line} 行“{column}”列{'为空或' if empty else ''}无法识别：{zh}（共 {bad} 行有误）",
        f"statement line {line}, column {column!r}: {'empty or ' if empty else ''}unreadable, "
        f"{en} ({bad} line(s) in error)",
    )


def _typed(raw: pa.Table, lines: pa.Array, layout: Layout) -> pa.Table:
    """Check every column and give each its type; the first bad cell stops the run."""
    col = {name: pc.utf8_trim_whitespace(raw.column(name)) for name in raw.column_names}
    for field in _REQUIRED:
        _first_bad(pc.not_equal(pc.utf8_length(col[field]), 0), lines, field, layout)
    _first_bad(pc.less_equal(pc.utf8_length(col["txn_id"]), MAX_TXN_ID), lines, "txn_id", layout)
    ids = pc.utf8_upper(col["id_number"])
    _first_bad(pc.match_substring_regex(ids, r"^[0-9]{17}[0-9X]$"), lines, "id_number", layout)
    amount = col["amount"]
    _first_bad(pc.match_substring_regex(amount, r"^[0-9]{1,10}(\.[0-9]{1,2})?$"), lines, "amount",
               layout)
    fen = pc.cast(pc.multiply(pc.cast(amount, pa.decimal128(14, 2)),
                              pa.scalar(100, pa.decimal128(5, 0))), pa.int64())
    year_text = col["coverage_year"]
    _first_bad(pc.match_substring_regex(year_text, r"^[0-9]{4}$"), lines, "coverage_year", layout)
    year = pc.cast(year_text, pa.int32())
    _first_bad(pc.and_(pc.greater_equal(year, 1900), pc.less_equal(year, 2100)), lines,
               "coverage_year", layout)
    paid_at = pc.strptime(col["paid_at"], format=layout.date_format, unit="s",
                          error_is_null=True)
    _first_bad(pc.is_valid(paid_at), lines, "paid_at", layout)
    n = raw.num_rows
    if "status" in col:
        collected = pc.is_in(col["status"], value_set=pa.array(layout.collected, pa.string()))
    else:
        collected = pa.array([True] * n, pa.bool_())
    names = col.get("name", pa.nulls(n, pa.string()))
    return pa.table({
        "line": lines,
        "txn_id": col["txn_id"],
        "id_number": ids,
        "name": names,
        "amount_fen": fen,
        "paid_at": paid_at,
        "coverage_year": year,
        "collected": collected,
    })
