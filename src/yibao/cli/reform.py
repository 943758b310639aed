"""``yibao assistance`` (tilt assistance for one case) and ``yibao simulate`` (what-if
reforms over a population).

    yibao assistance --region 450202 --year 2025 --costs 50000 [--granted 20000]
    yibao simulate --reform reform/ --population people.csv [-o diff.csv] [--chart diff.svg]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from yibao.cli._output import Command, JsonFlag, emit, handled, refuse, say, wide
from yibao.errors import InputError
from yibao.rules.sources import for_people

__all__ = ["register"]

Opt = typer.Option


@handled
def assistance(
    region: Annotated[str, Opt(help="GB/T 2260 region code, e.g. 450202.")],
    year: Annotated[int, Opt(help="The year of the costs.")],
    costs: Annotated[str, Opt(help="Eligible out-of-pocket costs in yuan, e.g. 50000.00.")],
    granted: Annotated[str, Opt(help="Tilt assistance already granted this year, in yuan.")]
    = "0.00",
    as_json: JsonFlag = False,
) -> None:
    """倾斜救助:困难大病患者可得的救助范围(按公布的最低和最高比例,不超过年度限额)。Tilt
    assistance for a catastrophic patient in hardship: the range at the lowest and the
    highest published ratio, within the annual cap."""
    from yibao.quoting.assistance import tilt

    result = tilt({"region": region, "year": year, "eligible_costs": costs,
                   "granted_this_year": granted})
    if as_json:
        emit(result)
        return
    if result["missing"]:
        say(f"{result['region']['name']} {year}年: 倾斜救助的比例和限额尚未公布",
            f"{result['region']['name']} {year}: tilt assistance terms are not published")
        return
    say(f"倾斜救助 {result['low']} – {result['high']} 元。{result['text']}"
        f"({for_people(result['rule']['source'], region=result['region']['code'], year=year)})",
        f"tilt assistance {result['low']} – {result['high']} yuan. {result['text_en']}")


def _charts(chart: Path | None) -> tuple[Path, Path] | None:
    """The SVG and PNG files of ``--chart`` (either suffix names both)."""
    if chart is None:
        return None
    if chart.suffix.lower() not in (".svg", ".png"):
        raise InputError("unknown_file_type", f"图表文件须为 .svg 或 .png: {chart.name}",
                         f"the chart must be .svg or .png: {chart.name}", field="chart")
    return chart.with_suffix(".svg"), chart.with_suffix(".png")


def _check_target(path: Path, field: str) -> None:
    if not path.parent.is_dir():
        raise InputError("output_folder_missing",
                         f"输出目录不存在: {path.parent}(请先创建: mkdir -p {path.parent})",
                         f"the output folder does not exist: {path.parent} (create it first)",
                         field=field)


@handled
def simulate(
    reform: Annotated[Path, Opt(help="Folder of parameter files: the reform (overlay format).")],
    population: Annotated[Path, Opt(help="People to quote, .parquet or .csv (quote columns).")],
    output: Annotated[Path | None, Opt("-o", "--output", help="Per-region table .csv/.parquet.")]
    = None,
    chart: Annotated[Path | None, Opt(help="Bar chart of the difference per region: NAME.svg "
                                           "and NAME.png are both written.")] = None,
    title: Annotated[str | None, Opt(help="Title of the chart.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """改革测算:同一人群在现行政策和改革方案下分别报价,按地区比较。Quote a population
    under the policy in force and under a reform: per region the persons, total due under
    each (fen), the difference and how many start dates move."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from yibao.operations.reform import difference_chart
    from yibao.operations.reform import simulate as run
    from yibao.operations.reports.output import svg_to_png
    from yibao.policy.files import check_folder, load_policy, policy_with
    from yibao.policy.locations import configured_dir
    from yibao.rules.money import fen_to_yuan

    refuse(check_folder(reform), as_json=as_json)
    if output is not None and output.suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise InputError("unknown_file_type", f"不支持的输出文件类型: {output.name}",
                         f"unsupported output type: {output.name} (.csv, .parquet)",
                         field="output")
    charts = _charts(chart)
    for path, field in ((output, "output"), (chart, "chart")):
        if path is not None:
            _check_target(path, field)
    in_force = configured_dir()
    result = run(population, baseline=load_policy(),
                 reform=policy_with(*((in_force,) if in_force else ()), reform))
    table = result.table()
    if output is not None:
        if output.suffix.lower() == ".csv":
            pacsv.write_csv(table, output)
        else:
            pq.write_table(table, output)
    if charts is not None:
        svg = difference_chart(table, title=title or f"改革方案 {reform.name}")
        charts[0].write_text(svg, encoding="utf-8")
        charts[1].write_bytes(svg_to_png(svg))
    rows = table.to_pylist()
    if as_json:
        emit({"rows": rows, "persons": result.rows, "seconds": round(result.seconds, 3),
              "output": None if output is None else str(output),
              "charts": None if charts is None else [str(c) for c in charts]})
        return
    _print(rows)
    total = rows[-1] if rows else {}
    written = [str(p) for p in (output, *(charts or ())) if p is not None]
    files = f" → {', '.join(written)}" if written else ""
    diff = fen_to_yuan(int(total.get("difference", 0)))
    say(f"测算 {result.rows:,} 人: 应缴总额变化 {diff} 元,待遇开始日变化 "
        f"{int(total.get('start_moved', 0)):,} 人,用时 {result.seconds:.2f} 秒{files}",
        f"simulated {result.rows:,} persons: total due changes by {diff} yuan, "
        f"{int(total.get('start_moved', 0)):,} start dates move, {result.seconds:.2f} s{files}")


def _print(rows: list[dict[str, Any]]) -> None:
    from yibao.rules.money import fen_to_yuan

    view = Table("地区 region", "人数 persons", "现行应缴(元) in force", "改革后应缴(元) reform",
                 "差额(元) difference", "待遇开始日变化 starts moved")
    for r in rows:
        view.add_row(f"{r['region']} {r['region_name']}", f"{r['persons']:,}",
                     fen_to_yuan(r["total_due_baseline"]), fen_to_yuan(r["total_due_reform"]),
                     fen_to_yuan(r["difference"]), f"{r['start_moved']:,}")
    wide().print(view)


def register(app: typer.Typer) -> None:
    """Add ``assistance`` and ``simulate``."""
    app.command("assistance", cls=Command)(assistance)
    app.command("simulate", cls=Command)(simulate)
