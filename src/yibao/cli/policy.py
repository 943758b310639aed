"""Policy commands: publishing a year's figures (contract §5, docs/publishing.md).

    yibao policy check DIR                 # exit 0, or 2 naming file, line, region and field
    yibao policy show individual_share [--region 450202]
    yibao policy diff DIR                  # what publishing DIR would change
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from yibao.cli._output import Command, JsonFlag, emit, handled, refuse, say, wide

__all__ = ["register"]

policy_app = typer.Typer(help="发布的政策数额:检查、查看、比较。Published policy figures: "
                              "check, show, diff (contract §5).", no_args_is_help=True,
                         rich_markup_mode=None)
Opt = typer.Option
Folder = Annotated[Path, typer.Argument(metavar="DIR", help="Folder of parameter files (and "
                                             "statements.yaml, contacts.yaml) to publish.")]


@policy_app.command("check", cls=Command)
@handled
def policy_check(folder: Folder, as_json: JsonFlag = False) -> None:
    """检查要发布的目录:通过则退出码 0,否则退出码 2 并逐个指出文件、行号、地区和字段。
    Validate a folder of parameter files in the shipped format (and a statements.yaml of
    statement layouts, a contacts.yaml of offices and hotlines): exit 0, or exit 2 naming
    file, line, region and field of each problem (no source, impossible dates, dates off
    the coverage year, overlaps, a wrong unit, an amount ten times off the year before, a
    phone number not written as dialled)."""
    from yibao.policy.files import check_folder, policy_with

    refuse(check_folder(folder), as_json=as_json)
    policy = policy_with(folder)
    files = sorted(p.name for p in folder.glob("*.yaml"))
    if as_json:
        emit({"ok": True, "files": files, "policy_version": policy.version})
        return
    say(f"可以发布: {len(files)} 个文件 ({', '.join(files) or '无'});政策版本 {policy.version}",
        f"OK: {len(files)} file{'s' if len(files) != 1 else ''}; policy version {policy.version}")


@policy_app.command("show", cls=Command)
@handled
def policy_show(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Parameter name, e.g. individual_share.")],
    region: Annotated[str | None, Opt(help="Resolve for this region, year by year.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """现行的一个参数(随软件发布的数额 + 发布目录)。One parameter of the policy in force
    (shipped files and the published folder)."""
    from yibao.policy.view import parameter_view

    view = parameter_view(name, region)
    if as_json:
        emit(view)
        return
    table = Table(title=f"{view['name']} — {view['description']}")
    if region is None:
        for column in ("地区 region", "从 from", "到 to", "值 value", "来源 source"):
            table.add_column(column)
        for code, values in view["values"].items():
            for v in values:
                table.add_row(code, v["from"], v["to"], v["shown"], v["source"])
    else:
        for column in ("参保年度 year", "值 value", "取自地区 from region", "来源 source"):
            table.add_column(column)
        for y in view["years"]:
            table.add_row(str(y["year"]), y["shown"], y["from_region"] or "", y["source"] or "")
    wide().print(table)


@policy_app.command("diff", cls=Command)
@handled
def policy_diff(folder: Folder, as_json: JsonFlag = False) -> None:
    """发布该目录(替换现行发布目录)会改变哪些数额。What publishing FOLDER (in place of
    the folder in force, if any) would change: every parameter, region and coverage year
    whose figure changes."""
    from yibao.policy.files import check_folder, load_policy, policy_with
    from yibao.policy.view import diff_policies

    refuse(check_folder(folder), as_json=as_json)
    changes = diff_policies(load_policy(), policy_with(folder))
    if as_json:
        emit(changes)
        return
    if not changes:
        say("没有变化", "no change")
        return
    table = Table("参数 parameter", "地区 region", "参保年度 year", "现行 in force",
                  "发布后 published", "来源 source")
    for c in changes:
        years = f"{c['first_year']}–{c['last_year']}" if c["first_year"] != c["last_year"] \
            else str(c["first_year"])
        table.add_row(c["parameter"], f"{c['region']} {c['region_name']}", years,
                      c["before"], c["after"], c["source"] or "")
    wide().print(table)
    say(f"发布后将改变 {len(changes)} 处数额", f"{len(changes)} figure"
        f"{'s' if len(changes) != 1 else ''} would change")


def register(app: typer.Typer) -> None:
    """Add ``policy check|show|diff``."""
    app.add_typer(policy_app, name="policy")
