"""``yibao quote`` (one quote, contract §2) and ``yibao flexible-employment``.

    yibao quote --json request.json        # or - for stdin: one JSON result on stdout
    yibao quote --region 450802 --year 2021 --payment-date 2021-03-15 --covered-years 2019
    yibao flexible-employment --region 210600 --year 2024 [--date 2025-03-01 --birth-date ... --sex female]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from yibao.cli._output import Command, JsonFlag, emit, handled, say, wide
from yibao.errors import InputError
from yibao.rules.sources import for_people

__all__ = ["register"]

Opt = typer.Option
Years = Annotated[str | None, Opt(help="Years, e.g. 2019,2020 ('' = none).")]


def _years(text: str | None) -> list[int] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise InputError("invalid_value", f"年份列表无效: {text}", f"invalid year list: {text}",
                         field="covered_years")
    return [int(p) for p in parts]


def _read_json(source: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8"
        raise InputError("file_not_found", f"无法读取输入文件: {source}",
                         f"cannot read input file: {source} ({reason})", field="json") from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError("invalid_json", f"输入不是有效的 JSON: 第{exc.lineno}行第{exc.colno}列",
                         f"input is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                         field=None) from None
    if not isinstance(payload, dict):
        raise InputError("invalid_json", "输入必须是 JSON 对象", "input must be a JSON object")
    return payload


def _print_table(result: dict[str, Any]) -> None:
    region = result.get("region", {})
    table = Table(title=f"{region.get('name', '')} {result['coverage_year']}年度 城乡居民医保",
                  show_header=False)
    table.add_column("项目", style="bold")
    table.add_column("结果")
    b = result["breakdown"]
    table.add_row("应缴金额", f"{result['amount_due']} 元" if result["amount_due"] else "尚未公布")
    table.add_row("其中", f"个人 {b['individual']} / 财政补助 {b['fiscal_subsidy']} / "
                  f"救助资助 {b['assistance']}")
    if b["back_pay"] not in (None, "0.00"):
        table.add_row("另需补缴", f"{b['back_pay']} 元")
    table.add_row("待遇开始", result["benefit_start"] or "本次缴费在该年度不产生待遇")
    table.add_row("待遇结束", result["benefit_end"])
    w = result["waiting_months"]
    table.add_row("等待期", f"固定 {w['fixed']} 个月, 变动 {w['variable']} 个月")
    step = result.get("next_step") or {}
    if step.get("text"):
        table.add_row("下一步", step["text"])
    where = {"region": result["region"]["code"], "year": result["coverage_year"]}
    for rule in result["rules"]:
        table.add_row(rule["id"], f"{rule['text']}\n[dim]{for_people(rule['source'], **where)}[/dim]")
    for warning in result["warnings"]:
        table.add_row("[yellow]提示[/yellow]", warning)
    if result["missing"]:
        table.add_row("[red]未公布[/red]", ", ".join(result["missing"]))
    wide().print(table)


@handled
def quote(
    json_path: Annotated[str | None, Opt(
        "--json", help="Request JSON file, or - for stdin; prints one JSON result.")] = None,
    region: Annotated[str | None, Opt(help="GB/T 2260 region code, e.g. 450802.")] = None,
    year: Annotated[int | None, Opt("--year", help="Coverage year.")] = None,
    payment_date: Annotated[str | None, Opt(help="Payment date YYYY-MM-DD.")] = None,
    id_number: Annotated[str | None, Opt(help="18-character resident ID number.")] = None,
    birth_date: Annotated[str | None, Opt(help="Birth date YYYY-MM-DD.")] = None,
    special_group: Annotated[str | None, Opt(help="Special-group code (tekun, dibao, ...).")] = None,
    covered_years: Years = None,
    employee_end: Annotated[str | None, Opt(help="Employee insurance end date.")] = None,
    back_pay_years: Years = None,
    hardship: Annotated[bool, Opt(help="Paid within the hardship deferral.")] = False,
    as_json: Annotated[bool, Opt("--output-json", help="Print JSON instead of a table.")] = False,
) -> None:
    """一次报价:应缴多少、从哪天起享受待遇。One quote: what is due and from which day the
    resident is covered (a table in Chinese, or JSON with --json FILE or --output-json)."""
    from yibao.quoting.answers import quote as run_quote

    if json_path is not None:
        payload = _read_json(json_path)
    else:
        payload = {k: v for k, v in {
            "region": region, "coverage_year": year, "payment_date": payment_date,
            "id_number": id_number, "birth_date": birth_date, "special_group": special_group,
            "covered_years": _years(covered_years), "employee_insurance_end_date": employee_end,
            "back_pay_years": _years(back_pay_years), "hardship_deferral": hardship or None,
        }.items() if v is not None}
    result = run_quote(payload)
    if json_path is not None or as_json:
        emit(result)
    else:
        _print_table(result)


@handled
def flexible_employment(
    region: Annotated[str, Opt(help="GB/T 2260 region code, e.g. 210600.")],
    year: Annotated[int | None, Opt(help="Contribution year (default: the year of --date).")] = None,
    on: Annotated[str | None, Opt("--date", help="May they pay online on this day? YYYY-MM-DD")] = None,
    birth_date: Annotated[str | None, Opt(help="Birth date, for the age rule.")] = None,
    sex: Annotated[str | None, Opt(help="female or male, for the age rule.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """灵活就业人员职工医保月缴费(基数 × 费率),以及某日能否网上缴费。Monthly employee-insurance
    contribution of a flexible worker (base × rate), and whether they may pay online on --date."""
    from yibao.quoting.answers import flexible_employment as contribution
    from yibao.quoting.answers import parse_day

    result = contribution(region, year, on=parse_day(on, "date"), sex=sex,
                          birth_date=parse_day(birth_date, "birth_date"))
    if as_json:
        emit(result)
        return
    if result["monthly"] is not None:
        say(f"{result['year']}年 缴费基数 {result['base']} 元 × {result['rate_percent']}% = "
            f"每月 {result['monthly']} 元 ({for_people(result['source'], region=region, year=result['year'])})",
            f"{result['year']}: base {result['base']} yuan × {result['rate_percent']}% = "
            f"{result['monthly']} yuan a month")
    if "online" in result:
        online = result["online"]
        cited = for_people(str(online.get("source") or ""), region=region, year=result["year"])
        say(f"{online['text']}" + (f" ({cited})" if cited else ""),
            str(online.get("text_en") or online["text"]))


def register(app: typer.Typer) -> None:
    """Add ``quote`` and ``flexible-employment``."""
    app.command("quote", cls=Command)(quote)
    app.command("flexible-employment", cls=Command)(flexible_employment)
