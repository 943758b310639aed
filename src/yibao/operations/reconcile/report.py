"""The report file of a run: the difference lines (ID numbers masked, amounts in yuan)
and a summary — ``.csv`` with ``<name>.summary.json`` beside it, or ``.xlsx`` with the
sheets 差异 differences and 汇总 summary. Written to temporary files that replace the
targets only when the run has been stored (:func:`commit`), so nothing is left half.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from yibao.errors import InputError
from yibao.operations.reconcile.words import CATEGORY_WORDS, COUNT_WORDS

__all__ = ["HEADER", "Pending", "check_target", "commit", "write_report"]

HEADER = ("category", "类别", "line", "channel_txn_id", "id_number_masked", "person_id",
          "coverage_year", "statement_amount", "ledger_amount", "difference", "payment_id",
          "import_outcome")
Pending = list[tuple[Path, Path]]


def check_target(path: Path) -> None:
    """Refuse a report name we cannot write before anything else happens."""
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError("invalid_report", f"报告文件须为 .csv 或 .xlsx：{path.name}",
                         f"the report must be a .csv or .xlsx file: {path.name}", field="output")
    if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
        raise InputError("invalid_report", f"报告文件所在目录不存在或不可写：{path.parent}",
                         f"the report's folder does not exist or is not writable: {path.parent}",
                         field="output")


def _temp(target: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    return Path(name)


def _cells(line: dict[str, Any]) -> list[Any]:
    return [line["category"], CATEGORY_WORDS[line["category"]][0], line["line"],
            line["channel_txn_id"], line["id_number"], line["person_id"], line["coverage_year"],
            line["statement_amount"], line["ledger_amount"], line["difference"],
            line["payment_id"], line["outcome"]]


def _summary_rows(summary: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [["channel", summary["channel"]], ["file", summary["file_name"]],
                             ["sha256", summary["file_digest"]],
                             ["coverage_years", summary["years"]]]
    for key, (zh, en) in COUNT_WORDS.items():
        if key in summary["counts"]:
            rows.append([key, f"{zh} {en}", summary["counts"][key]])
    rows.append(["statement_amount", "对账单金额合计 statement total", summary["statement_amount"]])
    rows.append(["ledger_amount", "账上金额合计 ledger total", summary["ledger_amount"]])
    return rows


def write_report(target: Path, summary: dict[str, Any], lines: list[dict[str, Any]]) -> Pending:
    """Write the report into temporary files; returns (temporary, target) pairs."""
    pending: Pending = []
    try:
        if target.suffix.lower() == ".xlsx":
            from openpyxl import Workbook

            tmp = _temp(target)
            pending.append((tmp, target))
            book = Workbook(write_only=True)
            sheet = book.create_sheet("差异 differences")
            sheet.append(list(HEADER))
            for line in lines:
                sheet.append(_cells(line))
            totals = book.create_sheet("汇总 summary")
            for row in _summary_rows(summary):
                totals.append([str(c) if isinstance(c, list) else c for c in row])
            book.save(tmp)
        else:
            tmp = _temp(target)
            pending.append((tmp, target))
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(HEADER)
                writer.writerows(_cells(line) for line in lines)
            side = target.with_name(target.name + ".summary.json")
            tmp2 = _temp(side)
            pending.append((tmp2, side))
            tmp2.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    except BaseException:
        discard(pending)
        raise
    return pending


def discard(pending: Pending) -> None:
    for tmp, _ in pending:
        tmp.unlink(missing_ok=True)


def commit(pending: Pending) -> None:
    """Move the temporary files onto their targets."""
    for tmp, target in pending:
        os.replace(tmp, target)
