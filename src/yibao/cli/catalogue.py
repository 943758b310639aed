"""What the engine knows: ``yibao rules list|show`` (the rules with their citations) and
``yibao regions`` (the GB/T 2260 regions of the policy data).

    yibao rules list
    yibao rules show R-START-GAP
    yibao regions --parent 450800 [--json]
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from yibao.cli._output import Command, JsonFlag, emit, handled, out, wide
from yibao.errors import InputError

__all__ = ["register"]

rules_app = typer.Typer(help="规则目录及其依据。The rules catalogue with citations.",
                        no_args_is_help=True, rich_markup_mode=None)


@rules_app.command("list", cls=Command)
@handled
def rules_list(as_json: JsonFlag = False) -> None:
    """每条规则的编号、名称和依据。Every rule ID with its title and source."""
    from yibao.quoting.answers import rules_catalogue

    rules = rules_catalogue()
    if as_json:
        emit(rules)
        return
    table = Table("ID", "规则", "来源")
    for rule in rules:
        table.add_row(rule["id"], rule["title"], rule["source"])
    wide().print(table)


@rules_app.command("show", cls=Command)
@handled
def rules_show(
    rule_id: Annotated[str, typer.Argument(metavar="RULE_ID", help="Rule ID, e.g. R-START-GAP.")],
    as_json: JsonFlag = False,
) -> None:
    """一条规则:依据和说明模板。One rule with its source and text template."""
    from yibao.quoting.answers import rules_catalogue

    for rule in rules_catalogue():
        if rule["id"] == rule_id.upper():
            if as_json:
                emit(rule)
                return
            out.print(f"{rule['id']} {rule['title']}", style="bold", markup=False)
            out.print(f"来源 source: {rule['source']}\n{rule['text']}\n{rule['text_en']}",
                      markup=False, highlight=False)
            return
    raise InputError("unknown_rule", f"没有这条规则: {rule_id}(规则编号见 yibao rules list)",
                     f"no such rule: {rule_id} (yibao rules list shows them)", field="rule_id")


@handled
def regions(
    parent: Annotated[str | None, typer.Option(help="Only the children of this region code.")]
    = None,
    as_json: JsonFlag = False,
) -> None:
    """政策数据中的行政区划(GB/T 2260)。The regions the policy data knows (GB/T 2260)."""
    from yibao.quoting.answers import regions as all_regions

    rows = [r for r in all_regions() if parent is None or r["parent"] == parent]
    if as_json:
        emit(rows)
        return
    table = Table("代码", "名称", "上级", "级别")
    for r in rows:
        table.add_row(r["code"], r["name"], r["parent"] or "", r["level"])
    wide().print(table)


def register(app: typer.Typer) -> None:
    """Add ``rules list|show`` and ``regions``."""
    app.add_typer(rules_app, name="rules")
    app.command("regions", cls=Command)(regions)
