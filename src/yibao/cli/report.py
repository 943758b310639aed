"""``yibao report YEAR``: a coverage year by county, city and province, from the registry
(SQL ``GROUP BY``) or from a Parquet extract of it, as CSV, SVG and PNG charts and a table.

    yibao report 2025 -o reports/                      # from YIBAO_DATABASE_URL
    yibao report 2025 --region 450800 --extract x.parquet
    yibao report 2025 --from-parquet x.parquet -o reports/   # no database
"""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from yibao.errors import InputError, YibaoError

if TYPE_CHECKING:
    from yibao.operations.reports.model import Report

__all__ = ["register"]

out = Console()
if not out.is_terminal:  # a file or a pipe gets the whole table
    out = Console(width=160)
err = Console(stderr=True, soft_wrap=True)
Opt = typer.Option


def _fail(exc: YibaoError) -> None:
    err.print(f"[red]错误[/red] {exc.message}\n[dim]error: {exc.message_en}"
              + (f" (field: {exc.field})" if exc.field else "") + "[/dim]")
    raise typer.Exit(2)


def _as_of(text: str | None) -> dt.date:
    from yibao.services.common import parse_date, today_beijing

    return today_beijing() if text is None else parse_date(text, field="as_of")


def _pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{(value * 100).quantize(Decimal('0.1'))}%"


def _table(report: Report) -> Table:
    from yibao.rules.money import fen_to_yuan

    p = report.params
    table = Table(title=f"{p.year}年度 参保缴费统计 / coverage year {p.year} "
                        f"(等待期按 {p.waiting_day} / waiting on {p.waiting_day})")
    heads = [("地区", "Region"), ("登记", "Registered"), ("已缴", "Paid"), ("缴费率", "Paid %"),
             ("按时", "On time %"), ("未缴", "Unpaid"), ("断保", "Lapsed"),
             ("等待期", "Waiting"), ("历史不明", "Unknown"), ("已收(元)", "Collected ¥")]
    for i, (zh, en) in enumerate(heads):
        table.add_column(f"{zh}\n{en}", justify="left" if i == 0 else "right")

    for row in report.rows:
        c = row.counts
        name = {"county": "  ", "city": "", "province": "", "total": ""}[row.level] + row.name
        style = "bold" if row.level in ("city", "province", "total") else None
        table.add_row(name, str(c.registered), str(c.paid), _pct(c.paid_share),
                      _pct(c.on_time_share), str(c.unpaid), str(c.lapsed), str(c.waiting),
                      str(c.history_unknown), fen_to_yuan(c.collected_fen), style=style)
    return table


def report(
    year: Annotated[int, typer.Argument(help="Coverage year, e.g. 2025.")],
    output: Annotated[Path | None, Opt("-o", "--output",
                                       help="Folder for the CSV, SVG and PNG files.")] = None,
    region: Annotated[str | None, Opt(help="Only this region and those under it "
                                           "(GB/T 2260 code: a province, city or county).")]
    = None,
    from_parquet: Annotated[Path | None, Opt("--from-parquet",
                                             help="Compute from this extract, not the database.")]
    = None,
    extract: Annotated[Path | None, Opt("--extract",
                                        help="Also write the registry extract to this Parquet file.")]
    = None,
    as_of: Annotated[str | None, Opt("--as-of", help="Report date for 'in waiting' (default "
                                                     "today in Beijing), ISO date.")] = None,
    as_json: Annotated[bool, Opt("--json", help="Print the report as JSON, not a table.")]
    = False,
) -> None:
    """Persons registered, paid, on-time share, lapsed, in waiting, unpaid and collected
    (fen) per county, city and in total, for coverage YEAR (definitions: docs/reports.md)."""
    from yibao.operations.reports import parquet_report, sql_report, write_extract
    from yibao.operations.reports.model import ReportParams
    from yibao.operations.reports.output import report_json, share_chart, svg_to_png, write_csv

    try:
        params = ReportParams.make(year, as_of=_as_of(as_of), region=region)
        if from_parquet is not None and extract is not None:
            raise InputError("conflicting_options", "--from-parquet 与 --extract 不能同时使用",
                             "--from-parquet and --extract cannot be used together",
                             field="extract")
        if from_parquet is not None and not from_parquet.is_file():
            raise InputError("file_not_found", f"找不到抽取文件: {from_parquet}",
                             f"extract not found: {from_parquet}", field="from_parquet")
        started = time.perf_counter()
        if from_parquet is not None:
            result = parquet_report(from_parquet, params)
        else:
            from yibao.settings import get_settings
            from yibao.store.db import Database

            db = Database(get_settings().database_url)
            try:
                if extract is not None:
                    t0 = time.perf_counter()
                    n = write_extract(db.engine, params, extract)
                    err.print(f"抽取 extract: {n} 行 rows → {extract} "
                              f"({time.perf_counter() - t0:.2f} s)")
                result = sql_report(db.engine, params)
            finally:
                db.dispose()
        seconds = time.perf_counter() - started
    except YibaoError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(report_json(result), ensure_ascii=False, indent=1))
    else:
        out.print(_table(result))
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        stem = f"report-{year}" + (f"-{params.region}" if params.region else "")
        write_csv(result, output / f"{stem}.csv")
        for level, zh in (("county", "各县(市、区)"), ("city", "各市")):
            rows = result.level(level)
            if not rows:
                continue
            svg = share_chart(rows, f"{year}年度 {zh}缴费率 / paid share by {level}")
            (output / f"{stem}-{level}.svg").write_text(svg, encoding="utf-8")
            (output / f"{stem}-{level}.png").write_bytes(svg_to_png(svg))
        err.print(f"→ {output}/{stem}.csv, .svg, .png")
    err.print(f"{'Parquet' if from_parquet else 'SQL'}: {seconds:.2f} s")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
