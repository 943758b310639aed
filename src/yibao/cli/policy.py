"""Policy commands of the ``yibao`` CLI: publishing a year's figures.

    yibao policy check DIR                 # exit 0, or 2 naming file, region and problem
    yibao policy show individual_share [--region 450202]
    yibao policy diff DIR                  # what publishing DIR would change
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from yibao.cli._output import fail, refuse
from yibao.errors import InputError

__all__ = ["register"]

policy_app = typer.Typer(help="Published policy figures: check, show, diff (contract §5).",
                         no_args_is_help=True)
out = Console()
err = Console(stderr=True, soft_wrap=True)
Opt = typer.Option


@policy_app.command("check")
def policy_check(
    folder: Annotated[Path, typer.Argument(help="Folder of parameter files to publish.")],
    as_json: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> None:
    """Validate a folder of parameter files in the shipped format: exit 0, or exit 2
    naming file, region and problem for each file that is wrong."""
    from yibao.policy.files import check_folder, policy_with

    problems = check_folder(folder)
    if problems:
        if as_json:
            print(json.dumps({"ok": False, "problems": [p.to_dict()["error"] for p in problems]},
                             ensure_ascii=False, indent=2))
        refuse(problems)
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
    from yibao.policy.view import parameter_view

    try:
        view = parameter_view(name, region)
    except InputError as exc:
        fail(exc, as_json=as_json)
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
    from yibao.policy.files import check_folder, load_policy, policy_with
    from yibao.policy.view import diff_policies

    refuse(check_folder(folder))
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
    """Add ``policy check|show|diff`` to the ``yibao`` app."""
    app.add_typer(policy_app, name="policy")
