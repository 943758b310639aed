"""``yibao assistance`` (tilt assistance for one case) and ``yibao simulate`` (what-if
reforms over a population)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from yibao.cli._output import fail, refuse
from yibao.errors import YibaoError

__all__ = ["register"]

out = Console()
err = Console(stderr=True, soft_wrap=True)
Opt = typer.Option


def assistance(
    region: Annotated[str, Opt(help="GB/T 2260 region code, e.g. 450202.")],
    year: Annotated[int, Opt(help="The year of the costs.")],
    costs: Annotated[str, Opt(help="Eligible out-of-pocket costs in yuan, e.g. 50000.00.")],
    granted: Annotated[str, Opt(help="Tilt assistance already granted this year, in yuan.")]
    = "0.00",
    as_json: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> None:
    """Tilt assistance (倾斜救助) for a catastrophic patient in hardship: the range at the
    lowest and the highest published ratio, within the annual cap."""
    from yibao.quoting.assistance import tilt

    try:
        result = tilt({"region": region, "year": year, "eligible_costs": costs,
                       "granted_this_year": granted})
    except YibaoError as exc:
        fail(exc, as_json=as_json)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if result["missing"]:
        out.print(f"{result['region']['name']} {year}年: 倾斜救助的比例和限额尚未公布 / "
                  "tilt assistance terms are not published")
        return
    out.print(f"倾斜救助 [bold]{result['low']} – {result['high']}[/bold] 元\n{result['text']}\n"
              f"[dim]{result['text_en']}\n{result['rule']['source']}[/dim]")


def simulate(
    reform: Annotated[Path, Opt(help="Folder of parameter files: the reform (overlay format).")],
    population: Annotated[Path, Opt(help="People to quote, .parquet or .csv (quote columns).")],
    output: Annotated[Path | None, Opt("-o", "--output", help="Per-region table .csv/.parquet.")]
    = None,
    chart: Annotated[Path | None, Opt(help="SVG bar chart of the difference per region.")] = None,
    title: Annotated[str | None, Opt(help="Title of the chart.")] = None,
) -> None:
    """Quote a population under the policy in force and under a reform: per region the
    persons, total due under each (fen), the difference and how many start dates move."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from yibao.errors import InputError
    from yibao.operations.reform import difference_chart
    from yibao.operations.reform import simulate as run
    from yibao.policy.files import check_folder, load_policy, policy_with

    refuse(check_folder(reform))
    for path, kinds in ((output, (".csv", ".parquet", ".pq")), (chart, (".svg",))):
        if path is not None and path.suffix.lower() not in kinds:
            fail(InputError("unknown_file_type", f"不支持的输出文件类型: {path.name}",
                             f"unsupported output type: {path.name} ({', '.join(kinds)})",
                             field="output"))
    try:
        result = run(population, baseline=load_policy(),
                     reform=policy_with(*_in_force(), reform))
    except YibaoError as exc:
        fail(exc)
    table = result.table()
    if output is not None:
        if output.suffix.lower() == ".csv":
            pacsv.write_csv(table, output)
        else:
            pq.write_table(table, output)
    if chart is not None:
        chart.write_text(difference_chart(table, title=title or f"改革方案 {reform.name}"),
                         encoding="utf-8")
    _print(table)
    err.print(f"{result.rows:,} 行, {result.seconds:.2f} 秒"
              + (f" → {output}" if output else "") + (f", {chart}" if chart else ""))


def _in_force() -> tuple[Path, ...]:
    from yibao.policy.files import configured_dir

    folder = configured_dir()
    return (folder,) if folder else ()


def _print(table: object) -> None:
    from yibao.rules.money import fen_to_yuan

    view = Table("地区", "人数", "现行应缴(元)", "改革后应缴(元)", "差额(元)", "待遇开始日变化")
    for r in table.to_pylist():  # type: ignore[attr-defined]
        view.add_row(f"{r['region']} {r['region_name']}", f"{r['persons']:,}",
                     fen_to_yuan(r["total_due_baseline"]), fen_to_yuan(r["total_due_reform"]),
                     fen_to_yuan(r["difference"]), f"{r['start_moved']:,}")
    out.print(view)


def register(app: typer.Typer) -> None:
    """Add ``assistance`` and ``simulate`` to the ``yibao`` app."""
    app.command("assistance")(assistance)
    app.command("simulate")(simulate)
