"""A report as CSV, as JSON for the API, and as stand-alone SVG/PNG bar charts.

    write_csv(report, Path("report-2025.csv"))
    svg = share_chart(report.level("county"), "2025年度 各县(市、区)缴费率")
    png = svg_to_png(svg)
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from yibao.operations.reports.model import Report, ReportRow
from yibao.rules.money import fen_to_yuan

__all__ = ["CSV_COLUMNS", "csv_text", "report_json", "share_chart", "svg_to_png", "write_csv"]

#: the file's columns: (key, Chinese heading, English heading), docs/reports.md
CSV_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("level", "层级", "Level"), ("code", "区划代码", "Code"), ("name", "地区", "Region"),
    ("registered", "登记人数", "Registered"), ("paid", "已缴费", "Paid"),
    ("paid_share", "缴费率", "Paid share"), ("on_time", "按时缴费", "On time"),
    ("on_time_share", "按时缴费占比", "On-time share"), ("unpaid", "未缴费", "Unpaid"),
    ("underpaid", "少缴", "Underpaid"), ("pending", "待核定", "Pending"),
    ("lapsed", "断保", "Lapsed"), ("lapsed_paid", "断保后已续保", "Lapsed, paid again"),
    ("history_unknown", "参保历史不明", "History unknown"),
    ("late_start", "待遇晚于年初", "Cover after Jan 1"), ("waiting", "等待期中", "In waiting"),
    ("collected_yuan", "已收金额（元）", "Collected (yuan)"),
)
_LEVELS = {"county": ("县（市、区）", "county"), "city": ("市", "city"),
           "province": ("省（区）", "province"), "total": ("合计", "total")}

#: the byte-order mark Excel needs to read a CSV file as UTF-8 (Chinese names, not mojibake)
BOM = "\ufeff"


def _row_dict(row: ReportRow) -> dict[str, Any]:
    c = row.counts
    return {"level": row.level, "code": row.code, "name": row.name, "parent": row.parent,
            **c.as_dict(), "collected": fen_to_yuan(c.collected_fen)}


def csv_text(report: Report, lang: str = "zh") -> str:
    """The report as a file for Excel: a UTF-8 byte-order mark, one heading row (Chinese, or
    English with ``lang="en"``), county rows, city rows, province rows (no scope), the total;
    shares to 4 places, money in yuan with two places (exact, from integer fen)."""
    en = lang == "en"
    buf = io.StringIO()
    buf.write(BOM)
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([col[2] if en else col[1] for col in CSV_COLUMNS])
    for row in report.rows:
        d = _row_dict(row)
        d["collected_yuan"] = d["collected"]
        d["level"] = _LEVELS[row.level][1 if en else 0]
        w.writerow(["" if d[k] is None else d[k] for k, _, _ in CSV_COLUMNS])
    return buf.getvalue()


def write_csv(report: Report, path: Path, lang: str = "zh") -> None:
    path.write_bytes(csv_text(report, lang).encode("utf-8"))


def report_json(report: Report) -> dict[str, Any]:
    """The API's answer as JSON: parameters, the periods used, every row."""
    from yibao.operations.reports.shape import report_answer

    return report_answer(report).model_dump(mode="json")


_FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"


def _scale(label_w: int, bar_w: int, y_line: tuple[float, float], y_text: float) -> list[str]:
    """Grid lines at 0, 25, 50, 75 and 100% and their labels at ``y_text``."""
    out = []
    for pct in (0, 25, 50, 75, 100):
        x = label_w + bar_w * pct / 100
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y_line[0]:.1f}" y2="{y_line[1]:.1f}" '
                   f'stroke="{"#999999" if pct in (0, 100) else "#dddddd"}"/>'
                   f'<text x="{x:.1f}" y="{y_text:.1f}" text-anchor="middle" '
                   f'fill="#444444">{pct}%</text>')
    return out


def share_chart(rows: list[ReportRow], title: str, *, on_time: bool = True) -> str:
    """Horizontal bars per region: paid share (and on-time share of the paid), 0–100%;
    regions with nobody registered are left out. The scale is drawn above the first bar and
    below the last one, so that a long chart (a province's 111 counties) keeps it in view."""
    rows = [r for r in rows if r.counts.registered > 0]
    label_w, bar_w, right, row_h = 130, 360, 190, 22
    top = 62  # title, legend, scale
    width = label_w + bar_w + right
    body = row_h * max(len(rows), 1)
    height = top + body + 26
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="{_FONT}" font-size="12">',
           f"<title>{escape(title)}</title>",
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
           f'<text x="8" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
           '<rect x="8" y="26" width="10" height="10" fill="#2b6cb0"/>'
           '<text x="22" y="35">缴费率 paid share</text>']
    if on_time:
        out.append('<rect x="150" y="26" width="10" height="10" fill="#9ae6b4"/>'
                   '<text x="164" y="35">按时缴费占比 on-time share of paid</text>')
    out += _scale(label_w, bar_w, (top - 6, top + body), top - 9)
    out += _scale(label_w, bar_w, (top + body, top + body + 4), top + body + 16)
    for i, row in enumerate(rows):
        y = top + i * row_h
        paid = row.counts.paid_share or Decimal(0)
        out.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">'
                   f'{escape(row.name)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 2}" width="{float(paid) * bar_w:.1f}" '
                   f'height="11" fill="#2b6cb0"/>')
        out.append(f'<text x="{label_w + bar_w + 8}" y="{y + 13}">'
                   f'{(paid * 100).quantize(Decimal("0.1"))}%  ({row.counts.paid}/{row.counts.registered})</text>')
        if on_time:
            share = row.counts.on_time_share or Decimal(0)
            out.append(f'<rect x="{label_w}" y="{y + 13}" width="{float(share) * bar_w:.1f}" '
                       f'height="6" fill="#9ae6b4"/>')
    out.append("</svg>")
    return "\n".join(out)


def svg_to_png(svg: str) -> bytes:
    """The chart as PNG (cairosvg, at twice the size for print)."""
    import cairosvg

    png: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=2)
    return png
