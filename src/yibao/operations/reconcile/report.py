"""The report file of a run: the difference lines (ID numbers masked, amounts in yuan)
and a summary — ``.csv`` (UTF-8 with a BOM) with ``<name>.summary.json`` beside it, or
``.xlsx`` with the sheets 差异 differences and 汇总 summary (Chinese headings, frozen and
filtered, amounts as numbers in yuan). Written to temporary files that replace the
targets only when the run has been stored (:func:`commit`), so nothing is left half.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from yibao.errors import InputError
from yibao.operations.reconcile.words import CATEGORY_WORDS, COUNT_WORDS, OUTCOME_WORDS

__all__ = ["HEADER", "XLSX_COLUMNS", "Pending", "check_target", "commit", "write_report"]

HEADER = ("category", "类别", "line", "channel_txn_id", "id_number_masked", "person_id",
          "coverage_year", "statement_amount", "ledger_amount", "difference", "payment_id",
          "import_outcome")
Pending = list[tuple[Path, Path]]

#: The differences sheet of an .xlsx report, for Excel: (key, Chinese heading, width in
#: characters); the category and the outcome in words, amounts as numbers in yuan (SUM works).
XLSX_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("category", "差异类别", 22), ("line", "对账单行号", 11), ("channel_txn_id", "交易号", 24),
    ("id_number_masked", "身份证号码（遮挡）", 21), ("person_id", "人员编号", 10),
    ("coverage_year", "参保年度", 10), ("statement_amount", "对账单金额（元）", 16),
    ("ledger_amount", "账上金额（元）", 15), ("difference", "差额（元）", 12),
    ("payment_id", "缴费编号", 10), ("import_outcome", "补记结果", 24),
)
_MONEY = {"statement_amount", "ledger_amount", "difference"}


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


def _yuan(value: Any) -> Decimal | None:
    """A yuan amount as an exact number for a spreadsheet cell (None stays empty)."""
    return None if value in (None, "") else Decimal(str(value))


def _sheet_rows(line: dict[str, Any]) -> list[Any]:
    outcome = line["outcome"]
    return [CATEGORY_WORDS[line["category"]][0], line["line"], line["channel_txn_id"],
            line["id_number"], line["person_id"], line["coverage_year"],
            _yuan(line["statement_amount"]), _yuan(line["ledger_amount"]),
            _yuan(line["difference"]), line["payment_id"],
            OUTCOME_WORDS.get(outcome, (outcome,))[0] if outcome else None]


def _write_xlsx(path: Path, summary: dict[str, Any], lines: list[dict[str, Any]]) -> None:
    """Two sheets Excel opens ready to work with: headings in Chinese, bold, frozen and with
    a filter; columns wide enough; amounts numeric with two places."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("差异 differences")
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(XLSX_COLUMNS))
    sheet.auto_filter.ref = f"A1:{last}{len(lines) + 1}"
    for i, (_, _, width) in enumerate(XLSX_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width

    def head(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        return cell

    def money(value: Decimal | None, where: Any) -> Any:
        if value is None:
            return None
        cell = WriteOnlyCell(where, value=value)
        cell.number_format = "#,##0.00"
        return cell

    sheet.append([head(zh) for _, zh, _ in XLSX_COLUMNS])
    money_at = {i for i, (key, _, _) in enumerate(XLSX_COLUMNS) if key in _MONEY}
    for line in lines:
        sheet.append([money(v, sheet) if i in money_at else v
                      for i, v in enumerate(_sheet_rows(line))])
    totals = book.create_sheet("汇总 summary")
    totals.freeze_panes = "A2"
    totals.column_dimensions["A"].width = 26
    totals.column_dimensions["B"].width = 40
    totals.append([head("项目"), head("内容")])
    totals.append(["缴费渠道", summary["channel"]])
    totals.append(["对账单文件", summary["file_name"]])
    totals.append(["文件摘要（SHA-256）", summary["file_digest"]])
    totals.append(["参保年度", "、".join(str(y) for y in summary["years"])])
    for key, (zh, _) in COUNT_WORDS.items():
        if key in summary["counts"]:
            totals.append([zh, summary["counts"][key]])
    totals.append(["对账单金额合计（元）", money(_yuan(summary["statement_amount"]), totals)])
    totals.append(["账上金额合计（元）", money(_yuan(summary["ledger_amount"]), totals)])
    book.save(path)


def write_report(target: Path, summary: dict[str, Any], lines: list[dict[str, Any]]) -> Pending:
    """Write the report into temporary files; returns (temporary, target) pairs."""
    pending: Pending = []
    try:
        if target.suffix.lower() == ".xlsx":
            tmp = _temp(target)
            pending.append((tmp, target))
            _write_xlsx(tmp, summary, lines)
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
