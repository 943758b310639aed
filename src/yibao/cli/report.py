"""``yibao report YEAR``: a coverage year by county, city and province, from the registry
(SQL ``GROUP BY``) or from a Parquet extract of it, as CSV, SVG and PNG charts and a table.

    yibao report 2025 -o reports/                      # from the database in the settings
    yibao report 2025 --region 450800 --extract x.parquet
    yibao report 2025 --from-parquet x.parquet -o reports/   # no database

Without ``-o`` the files go to ``OUTPUT_DIR/report-YEAR`` when ``output_dir`` is set
(yibao.toml), else only the table (or ``--json``) is printed.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from yibao.cli._output import Command, JsonFlag, database, emit, handled, note, say, wide
from yibao.cli.users import By, account_actor
from yibao.errors import InputError

if TYPE_CHECKING:
    from yibao.operations.reports.model import Report

__all__ = ["register"]

Opt = typer.Option


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


def _folder(output: Path | None, year: int) -> Path | None:
    from yibao.settings import get_settings

    if output is not None:
        return output
    base = get_settings().output_dir
    return Path(base) / f"report-{year}" if base else None


def _write_files(result: Report, folder: Path, stem: str, lang: str = "zh") -> list[Path]:
    from yibao.operations.reports.output import share_chart, svg_to_png, write_csv

    folder.mkdir(parents=True, exist_ok=True)
    year = result.params.year
    written = [folder / f"{stem}.csv"]
    write_csv(result, written[0], lang)
    for level, zh in (("county", "各县(市、区)"), ("city", "各市")):
        rows = result.level(level)
        if not rows:
            continue
        svg = share_chart(rows, f"{year}年度 {zh}缴费率 / paid share by {level}")
        (folder / f"{stem}-{level}.svg").write_text(svg, encoding="utf-8")
        (folder / f"{stem}-{level}.png").write_bytes(svg_to_png(svg))
        written += [folder / f"{stem}-{level}.svg", folder / f"{stem}-{level}.png"]
    return written


@handled
def report(
    year: Annotated[int, typer.Argument(metavar="YEAR", help="Coverage year, e.g. 2025.")],
    output: Annotated[Path | None, Opt("-o", "--output", help="Folder for the CSV, SVG and PNG "
                                       "files (default: OUTPUT_DIR/report-YEAR when set).")]
    = None,
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
    lang: Annotated[str, Opt("--lang", help="Headings of the CSV file: zh (Chinese, default) "
                                              "or en (English).")] = "zh",
    by: By = None,
    as_json: JsonFlag = False,
) -> None:
    """统计报表:各县、市及全区的登记、缴费、按时、断保、等待期、未缴和已收金额。Persons
    registered, paid, on-time share, lapsed, in waiting, unpaid and collected per county,
    city and in total, for coverage YEAR (definitions: docs/reports.md)."""
    from yibao.operations.reports import parquet_report, sql_report, write_extract
    from yibao.operations.reports.model import ReportParams
    from yibao.operations.reports.output import report_json
    from yibao.services.scope import narrow_region

    if by is not None:  # an account's report covers its own region
        region = narrow_region(account_actor(by), region)
    params = ReportParams.make(year, as_of=_as_of(as_of), region=region)
    if lang not in ("zh", "en"):
        raise InputError("invalid_value", f"--lang 只能是 zh 或 en，而不是 {lang}",
                         f"--lang must be zh or en, not {lang}", field="lang")
    if from_parquet is not None and extract is not None:
        raise InputError("conflicting_options", "--from-parquet 与 --extract 不能同时使用",
                         "--from-parquet and --extract cannot be used together", field="extract")
    if from_parquet is not None and not from_parquet.is_file():
        raise InputError("file_not_found", f"找不到抽取文件: {from_parquet}",
                         f"extract not found: {from_parquet}", field="from_parquet")
    if extract is not None and not extract.parent.is_dir():
        raise InputError("output_folder_missing", f"输出目录不存在: {extract.parent}",
                         f"the output folder does not exist: {extract.parent}", field="extract")
    started = time.perf_counter()
    if from_parquet is not None:
        result = parquet_report(from_parquet, params)
    else:
        db = database()
        try:
            if extract is not None:
                t0 = time.perf_counter()
                n = write_extract(db.engine, params, extract)
                note(f"抽取 {n} 行 → {extract} ({time.perf_counter() - t0:.2f} 秒)",
                     f"extract: {n} rows → {extract} ({time.perf_counter() - t0:.2f} s)")
            result = sql_report(db.engine, params)
        finally:
            db.dispose()
    seconds = time.perf_counter() - started
    folder = _folder(output, year)
    stem = f"report-{year}" + (f"-{params.region}" if params.region else "")
    written = _write_files(result, folder, stem, lang) if folder is not None else []
    if as_json:
        emit(report_json(result))
        return
    wide().print(_table(result))
    source = "Parquet 抽取文件" if from_parquet else "数据库"
    source_en = "the Parquet extract" if from_parquet else "the database"
    files = f" → {folder}/{stem}.csv, .svg, .png" if written else ""
    say(f"{year}年度统计: 来自{source},{len(result.rows)} 行,用时 {seconds:.2f} 秒{files}",
        f"report {year}: from {source_en}, {len(result.rows)} rows, {seconds:.2f} s{files}")


def register(app: typer.Typer) -> None:
    app.command("report", cls=Command)(report)
