"""The ``yibao`` command line: quotes, rules, regions, batch runs and the service's commands.

    yibao quote --json request.json        # contract §2, one JSON result on stdout
    yibao quote --region 450802 --year 2021 --payment-date 2021-03-15 --covered-years 2019
    yibao rules list | yibao rules show R-START-GAP
    yibao regions --parent 450800
    yibao batch quote people.parquet -o quotes.parquet [--engine spark --master local[*]]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from yibao.cli import policy as cli_policy
from yibao.cli import province as cli_province
from yibao.cli import reconcile as cli_reconcile
from yibao.cli import reform as cli_reform
from yibao.cli import report as cli_report
from yibao.cli import service as cli_service
from yibao.errors import InputError
from yibao.quoting.answers import quote as run_quote
from yibao.quoting.answers import regions as all_regions
from yibao.quoting.answers import rules_catalogue

app = typer.Typer(help="yibao — 城乡居民基本医疗保险 rules engine and registry.", no_args_is_help=True,
                  add_completion=False)
rules_app = typer.Typer(help="The rules catalogue with citations.", no_args_is_help=True)
batch_app = typer.Typer(help="Quotes for many people at once (Parquet or CSV).", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(batch_app, name="batch")
out = Console()
err = Console(stderr=True)


def _fail(exc: InputError, *, as_json: bool) -> NoReturn:
    if as_json:
        print(json.dumps(exc.to_dict(), ensure_ascii=False))
    err.print(f"[red]错误[/red] {exc.message}\n[dim]error: {exc.message_en}"
              + (f" (field: {exc.field})" if exc.field else "") + "[/dim]")
    raise typer.Exit(2)


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
    except OSError as exc:
        raise InputError("file_not_found", f"无法读取输入文件: {source}",
                         f"cannot read input file: {source} ({exc.strerror})", field="json") from None
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
    for rule in result["rules"]:
        table.add_row(rule["id"], f"{rule['text']}\n[dim]{rule['source']}[/dim]")
    for warning in result["warnings"]:
        table.add_row("[yellow]提示[/yellow]", warning)
    if result["missing"]:
        table.add_row("[red]未公布[/red]", ", ".join(result["missing"]))
    out.print(table)


Opt = typer.Option
JsonPath = Annotated[str | None, Opt("--json", help="Request JSON file, or - for stdin; prints JSON.")]
Years = Annotated[str | None, Opt(help="Years, e.g. 2019,2020 ('' = none).")]


@app.command()
def quote(
    json_path: JsonPath = None,
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
    """One quote: what is due and from which day the resident is covered."""
    machine = json_path is not None or as_json
    try:
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
    except InputError as exc:
        _fail(exc, as_json=machine)
    if machine:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_table(result)


@rules_app.command("list")
def rules_list() -> None:
    """Every rule ID with its title and source."""
    table = Table("ID", "规则", "来源")
    for rule in rules_catalogue():
        table.add_row(rule["id"], rule["title"], rule["source"])
    out.print(table)


@rules_app.command("show")
def rules_show(rule_id: str) -> None:
    """One rule with its source and reason template."""
    for rule in rules_catalogue():
        if rule["id"] == rule_id.upper():
            out.print(f"[bold]{rule['id']}[/bold] {rule['title']}\n来源: {rule['source']}\n{rule['text']}")
            return
    _fail(InputError("unknown_rule", f"没有这条规则: {rule_id}", f"no such rule: {rule_id}",
                     field="rule_id"), as_json=False)


@app.command()
def regions(
    parent: Annotated[str | None, typer.Option(help="Only the children of this region code.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The regions the policy data knows (GB/T 2260)."""
    rows = [r for r in all_regions() if parent is None or r["parent"] == parent]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("代码", "名称", "上级", "级别")
    for r in rows:
        table.add_row(r["code"], r["name"], r["parent"] or "", r["level"])
    out.print(table)


@app.command("flexible-employment")
def flexible_employment_command(
    region: Annotated[str, Opt(help="GB/T 2260 region code, e.g. 210600.")],
    year: Annotated[int | None, Opt(help="Contribution year (default: the year of --date).")] = None,
    on: Annotated[str | None, Opt("--date", help="May they pay online on this day? YYYY-MM-DD")] = None,
    birth_date: Annotated[str | None, Opt(help="Birth date, for the age rule.")] = None,
    sex: Annotated[str | None, Opt(help="female or male, for the age rule.")] = None,
) -> None:
    """Monthly employee-insurance contribution of a flexible worker (base × rate), and
    whether they may pay online on --date."""
    from yibao.quoting.answers import flexible_employment, parse_day

    try:
        result = flexible_employment(region, year, on=parse_day(on, "date"), sex=sex,
                                     birth_date=parse_day(birth_date, "birth_date"))
    except InputError as exc:
        _fail(exc, as_json=False)
    if result["monthly"] is not None:
        out.print(f"{result['year']}年 基数 {result['base']} 元 × {result['rate_percent']}% = "
                  f"每月 [bold]{result['monthly']}[/bold] 元\n[dim]{result['source']}[/dim]")
    if "online" in result:
        out.print(f"{result['online']['text']}\n[dim]{result['online']['source'] or ''}[/dim]")


@batch_app.command("quote")
def batch_quote(
    src: Annotated[Path, typer.Argument(help="Input .parquet or .csv, one row per person.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output .parquet or .csv.")],
    keep: Annotated[list[str] | None, typer.Option(help="Input column to carry into the output.")] = None,
    chunk_rows: Annotated[int, typer.Option(help="Rows per record batch.")] = 131_072,
    engine: Annotated[str, typer.Option(help="local (this machine's cores) or spark.")] = "local",
    master: Annotated[str, typer.Option(help="Spark master URL (--engine spark).")] = "local[*]",
    conf: Annotated[list[str] | None, typer.Option(
        help="Spark setting KEY=VALUE (--engine spark), e.g. spark.executor.memory=4g.")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Worker processes (--engine local; default one per core).")] = None,
) -> None:
    """Quote every row of a file; rows that fail validation get an error, the run goes on."""
    if engine not in ("local", "spark"):
        _fail(InputError("invalid_value", f"未知引擎: {engine}(local 或 spark)",
                         f"unknown engine: {engine} (local or spark)", field="engine"), as_json=False)
    settings = dict(item.partition("=")[::2] for item in conf or ())
    with Progress(TextColumn("[bold]报价"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=False) as bar:
        task = bar.add_task("rows", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        try:
            if engine == "spark":
                from yibao.batch.spark_run import run_spark

                summary = run_spark(src, output, master=master, keep=tuple(keep or ()),
                                    conf=settings, chunk_rows=chunk_rows, progress=progress)
            else:
                from yibao.batch.runner import run_batch

                summary = run_batch(src, output, chunk_rows=chunk_rows, keep=tuple(keep or ()),
                                    progress=progress, workers=workers)
        except InputError as exc:
            bar.stop()
            _fail(exc, as_json=False)
    err.print(f"{summary.rows} 行, {summary.errors} 行有错误, {summary.seconds:.2f} 秒 → {output}")


cli_service.register(app)
cli_policy.register(app)
cli_reform.register(app)  # assistance, simulate
cli_reconcile.register(app)  # reconcile, demo statement
cli_report.register(app)
cli_province.register(app)


def main() -> None:  # pragma: no cover - console entry point
    app()
