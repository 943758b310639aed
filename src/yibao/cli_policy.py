"""Policy commands of the ``yibao`` CLI: publishing a year's figures, tilt assistance,
what-if reforms.

    yibao policy check DIR                 # exit 0, or 2 naming file, region and problem
    yibao policy show individual_share [--region 450202]
    yibao policy diff DIR                  # what publishing DIR would change
    yibao assistance --region 450202 --year 2025 --costs 50000 [--granted 20000]
    yibao simulate --reform DIR --population people.parquet -o diff.csv --chart diff.svg
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from yibao.errors import InputError, YibaoError

__all__ = ["parameter_view", "register"]

policy_app = typer.Typer(help="Published policy figures: check, show, diff (contract §5).",
                         no_args_is_help=True)
out = Console()
err = Console(stderr=True, soft_wrap=True)
Opt = typer.Option


def _fail(exc: YibaoError, *, as_json: bool = False) -> NoReturn:
    if as_json:
        print(json.dumps(exc.to_dict(), ensure_ascii=False))
    err.print(f"[red]错误[/red] {exc.message}\n[dim]error: {exc.message_en}[/dim]")
    raise typer.Exit(2)


def _show(unit: str, value: Any, published: bool) -> str:
    """A value as people read it (yuan for money, 未公布 when unpublished)."""
    from yibao.rules.money import fen_to_yuan

    if not published or value is None:
        return "未公布"
    if unit == "fen":
        return f"{fen_to_yuan(int(value))}元"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


def parameter_view(name: str, region: str | None = None) -> dict[str, Any]:
    """One parameter of the policy in force: its values per region, or (with ``region``)
    what it resolves to in each coverage year there.  ``InputError`` for an unknown name."""
    from yibao.policy_files import load_policy, parameter_texts, read_header

    texts = parameter_texts()
    if name not in texts:
        raise InputError("unknown_parameter", f"没有这个参数: {name}",
                         f"no such parameter: {name} (one of {', '.join(sorted(texts))})",
                         field="name")
    description, unit = read_header(texts[name])
    policy = load_policy()
    view: dict[str, Any] = {"name": name, "description": description, "unit": unit,
                            "policy_version": policy.version}
    if region is None:
        view["values"] = {
            code: [{"from": e.valid_from.isoformat(), "to": e.valid_to.isoformat(),
                    "value": e.value, "shown": _show(unit, e.value, e.published),
                    "status": "published" if e.published else "unpublished", "source": e.source}
                   for e in sorted(values, key=lambda e: e.valid_from)]
            for code, values in _by_region(policy.entries.get(name, ())).items()}
        return view
    if region not in policy.regions:
        from yibao.errors import UnknownRegion

        raise UnknownRegion("unknown_region", f"地区代码不在政策数据中: {region}",
                            f"unknown region code: {region}", field="region")
    years = []
    for year in range(policy.first_year, policy.last_year + 1):
        found = policy.resolve(name, region, year)
        years.append({"year": year, "value": None if found is None else found.value,
                      "shown": "无" if found is None else _show(unit, found.value, found.published),
                      "status": "absent" if found is None
                      else "published" if found.published else "unpublished",
                      "from_region": None if found is None else found.region,
                      "source": None if found is None else found.source})
    view.update(region=region, region_name=policy.regions[region].name, years=years)
    return view


def _by_region(entries: Any) -> dict[str, list[Any]]:
    out_: dict[str, list[Any]] = {}
    for e in entries:
        out_.setdefault(e.region, []).append(e)
    return dict(sorted(out_.items()))


@policy_app.command("check")
def policy_check(
    folder: Annotated[Path, typer.Argument(help="Folder of parameter files to publish.")],
    as_json: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> None:
    """Validate a folder of parameter files in the shipped format: exit 0, or exit 2
    naming file, region and problem for each file that is wrong."""
    from yibao.policy_files import check_folder, policy_with

    problems = check_folder(folder)
    if problems:
        if as_json:
            print(json.dumps({"ok": False, "problems": [p.to_dict()["error"] for p in problems]},
                             ensure_ascii=False, indent=2))
        for p in problems:
            err.print(f"[red]错误[/red] {p.message}\n[dim]error: {p.message_en}[/dim]")
        raise typer.Exit(2)
    policy = policy_with(folder)
    files = sorted(p.name for p in folder.glob("*.yaml"))
    if as_json:
        print(json.dumps({"ok": True, "files": files, "policy_version": policy.version},
                         ensure_ascii=False, indent=2))
        return
    out.print(f"可以发布: {len(files)} 个文件 ({', '.join(files) or '无'}); "
              f"政策版本 {policy.version}\nOK: {len(files)} files; policy version {policy.version}")


@policy_app.command("show")
def policy_show(
    name: Annotated[str, typer.Argument(help="Parameter name, e.g. individual_share.")],
    region: Annotated[str | None, Opt(help="Resolve for this region, year by year.")] = None,
    as_json: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> None:
    """One parameter of the policy in force (shipped + YIBAO_POLICY_DIR)."""
    try:
        view = parameter_view(name, region)
    except InputError as exc:
        _fail(exc, as_json=as_json)
    if as_json:
        print(json.dumps(view, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(title=f"{view['name']} — {view['description']}")
    if region is None:
        for column in ("地区", "从", "到", "值", "来源"):
            table.add_column(column)
        for code, values in view["values"].items():
            for v in values:
                table.add_row(code, v["from"], v["to"], v["shown"], v["source"])
    else:
        for column in ("参保年度", "值", "取自地区", "来源"):
            table.add_column(column)
        for y in view["years"]:
            table.add_row(str(y["year"]), y["shown"], y["from_region"] or "", y["source"] or "")
    out.print(table)


@policy_app.command("diff")
def policy_diff(
    folder: Annotated[Path, typer.Argument(help="Folder of parameter files to publish.")],
    as_json: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> None:
    """What publishing FOLDER (in place of the folder in force, if any) would change:
    every parameter, region and coverage year whose figure changes."""
    from yibao.policy_files import check_folder, diff_policies, load_policy, policy_with

    problems = check_folder(folder)
    if problems:
        for p in problems:
            err.print(f"[red]错误[/red] {p.message}\n[dim]error: {p.message_en}[/dim]")
        raise typer.Exit(2)
    changes = diff_policies(load_policy(), policy_with(folder))
    if as_json:
        print(json.dumps(changes, ensure_ascii=False, indent=2, default=str))
        return
    if not changes:
        out.print("没有变化 / no change")
        return
    table = Table("参数", "地区", "参保年度", "现行", "发布后", "来源")
    for c in changes:
        years = f"{c['first_year']}–{c['last_year']}" if c["first_year"] != c["last_year"] \
            else str(c["first_year"])
        table.add_row(c["parameter"], f"{c['region']} {c['region_name']}", years,
                      c["before"], c["after"], c["source"] or "")
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the policy, assistance and simulate commands to the ``yibao`` app."""
    from yibao import cli_reform

    app.add_typer(policy_app, name="policy")
    cli_reform.register(app)
