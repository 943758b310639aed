"""Files of a renewal run, each written to a temporary name and renamed into place, and the
manifest that lets ``--resume`` skip the chunks already done.

    DIR/manifest.json                  settings of the run and the finished chunks
    DIR/chunks/<region>.parquet        one chunk's rows (all residents of the region)
    DIR/reminders/<region>.parquet|csv the unpaid (or underpaid) of the region
    DIR/notices/<region>.pdf           one page per household with someone unpaid (--notices)
    DIR/renewal-<year>.parquet         every chunk, in region order (written last)

The same registry and settings give the same bytes.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

__all__ = ["REMINDER_CSV", "Manifest", "atomic", "combine", "remove_temporary", "unpaid",
           "write_parquet", "write_reminders"]

#: Columns of a reminders CSV (amounts in yuan, dates ISO) with their Chinese headings:
#: ``balance_due_yuan`` what a paid but underpaid resident still owes; ``start_reason`` why
#: cover starts after 1 January. The file starts with a UTF-8 byte-order mark, so that Excel
#: reads the names as Chinese.
REMINDER_CSV: tuple[tuple[str, str], ...] = (
    ("region", "区划代码"), ("region_name", "地区"), ("household_id", "家庭编号"),
    ("person_id", "人员编号"), ("name", "姓名"), ("id_masked", "身份证号码（遮挡）"),
    ("amount_due_yuan", "应缴金额（元）"), ("deadline", "缴费截止日"),
    ("benefit_start_if_paid", "按期缴费待遇起始日"), ("history_unknown", "参保历史不明"),
    ("missing", "缺少的政策数据"), ("balance_due_yuan", "还差金额（元）"),
    ("next_step", "下一步"), ("start_reason", "待遇起始原因"),
)


#: The temporary files of :func:`atomic` (``.<name>.tmp<pid>``).
_TEMPORARY = re.compile(r"^\..+\.tmp[0-9]+$")


def atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write ``path`` through a temporary file in the same folder and rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def remove_temporary(folders: list[Path]) -> int:
    """Delete what a killed run left half-written in ``folders`` (the temporary files of
    :func:`atomic`, never renamed into place); returns how many there were."""
    removed = 0
    for folder in folders:
        for path in folder.iterdir() if folder.is_dir() else ():
            if _TEMPORARY.match(path.name) and path.is_file():
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def write_parquet(table: pa.Table, path: Path) -> None:
    """One Parquet file, atomically."""
    atomic(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def unpaid(table: pa.Table) -> pa.Table:
    """The rows of residents who have not paid the year, or paid less than was due (a
    balance is still owed)."""
    return table.filter(pc.or_(pc.invert(table.column("paid")),
                               pc.greater(table.column("balance_due"), 0)))


def _yuan(fen: pa.ChunkedArray) -> pa.ChunkedArray:
    """Fen → exact yuan strings (``fen_to_yuan`` on a column; amounts due are never negative)."""
    whole = pc.cast(pc.divide(fen, 100), pa.string())
    cents = pc.utf8_lpad(pc.cast(pc.subtract(fen, pc.multiply(pc.divide(fen, 100), 100)),
                                 pa.string()), 2, "0")
    return pc.binary_join_element_wise(whole, cents, ".")


def _csv_bytes(table: pa.Table) -> bytes:
    """The reminders CSV (columns :data:`REMINDER_CSV`, empty cells for absent values)."""
    def text(col: pa.ChunkedArray) -> pa.ChunkedArray:
        return pc.fill_null(pc.cast(col, pa.string()), "")

    unknown = table.column("history_unknown")
    cells = pa.table({
        "region": text(table.column("region")),
        "region_name": text(table.column("region_name")),
        "household_id": text(table.column("household_id")),
        "person_id": text(table.column("person_id")),
        "name": text(table.column("name")),
        "id_masked": text(table.column("id_masked")),
        "amount_due_yuan": text(_yuan(table.column("amount_due"))),
        "deadline": text(table.column("deadline")),
        "benefit_start_if_paid": text(table.column("benefit_start")),
        "history_unknown": pc.if_else(unknown, "是", "否"),
        "missing": text(table.column("missing")),
        "balance_due_yuan": text(_yuan(table.column("balance_due"))),
        "next_step": text(table.column("next_step")),
        "start_reason": text(table.column("start_reason_text")),
    })
    cells = cells.rename_columns([zh for _, zh in REMINDER_CSV])
    sink = io.BytesIO()
    sink.write("\ufeff".encode())  # the BOM: Excel reads the file as UTF-8
    pacsv.write_csv(cells, sink, pacsv.WriteOptions(quoting_style="needed"))
    return sink.getvalue()


def write_reminders(table: pa.Table, folder: Path, region: str) -> pa.Table:
    """The unpaid of one chunk as ``<region>.parquet`` and ``<region>.csv``; returns them."""
    rows = unpaid(table)
    write_parquet(rows, folder / f"{region}.parquet")
    body = _csv_bytes(rows)
    atomic(folder / f"{region}.csv", lambda tmp: tmp.write_bytes(body))
    return rows


def combine(parts: list[Path], dst: Path, schema: pa.Schema) -> int:
    """Concatenate chunk files (in the given order) into ``dst``; returns the row count."""
    rows = 0

    def write(tmp: Path) -> None:
        nonlocal rows
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for part in parts:
                table = pq.read_table(part, schema=schema)
                rows += table.num_rows
                writer.write_table(table)

    atomic(dst, write)
    return rows


class Manifest:
    """``manifest.json``: the run's settings and, per finished chunk, its counts."""

    NAME = "manifest.json"

    def __init__(self, folder: Path, settings: dict[str, Any]) -> None:
        self.path = folder / self.NAME
        self.settings = settings
        self.chunks: dict[str, dict[str, int]] = {}

    def load(self) -> dict[str, Any] | None:
        """The stored manifest (None when there is none or it cannot be read)."""
        try:
            stored: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return stored

    def resume_from(self, stored: dict[str, Any]) -> None:
        """Take the finished chunks of a stored manifest with the same settings."""
        self.chunks = {k: dict(v) for k, v in stored.get("chunks", {}).items()}

    def finish(self, region: str, counts: dict[str, int]) -> None:
        """Record a finished chunk (after its files are in place)."""
        self.chunks[region] = counts
        self.save()

    def save(self) -> None:
        body = json.dumps({"settings": self.settings, "chunks": dict(sorted(self.chunks.items()))},
                          ensure_ascii=False, indent=1, sort_keys=True)
        atomic(self.path, lambda tmp: tmp.write_text(body + "\n", encoding="utf-8"))
