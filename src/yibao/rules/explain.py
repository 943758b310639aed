"""Turn one row of engine output into a typed :class:`~yibao.rules.answer.Quote`, with reasons in Chinese."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from yibao.rules.answer import AppliedRule, Cited, Quote
from yibao.rules.calendar import days_to_date
from yibao.rules.catalogue import CONVENTIONS, NOTES_LAPSE, RULES, WARNINGS
from yibao.rules.engine import MISSING, QuoteResults
from yibao.rules.money import fen_to_yuan

__all__ = ["RowContext", "explain_row", "main_rule_id"]


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def main_rule_id(bit: int) -> str:
    """The rule ID of a single rule bit."""
    for i, rule in enumerate(RULES):
        if bit == 1 << i:
            return rule.id
    return ""


@dataclass(frozen=True)
class RowContext:
    """What the explanation needs beyond the engine's columns."""

    region_code: str
    region_name: str
    coverage_year: int
    payment_date: date
    birth_date: date | None
    employee_end: date | None
    group_name: str | None
    deadline: str
    newborn_window: str
    sources: Mapping[str, str]  # parameter → citation for this region and year
    region_notes: tuple[tuple[str, str], ...] = ()


def _conventions(rule_ids: list[str], res: QuoteResults, i: int) -> list[str]:
    used = {"C11"}
    mapping = {
        "R-START-LATE": ("C1",), "R-START-GAP": ("C1", "C5"), "R-START-NEWBORN": ("C3", "C4"),
        "R-START-TRANSFER": ("C8", "C17"), "R-WAIT-FIXED": ("C2", "C6"),
        "R-WAIT-VARIABLE": ("C5",), "R-WAIT-REPAIR": ("C10", "C18", "C19"),
        "R-FEE-LATE": ("C12",), "R-FEE-NEWBORN": ("C3", "C12"), "R-FEE-ASSIST": ("C7", "C12"),
        "R-WAIT-EXEMPT": ("C15",),
    }
    for rule_id in rule_ids:
        used.update(mapping.get(rule_id, ()))
    if res.regime[i] == 1:
        used.add("C14")
    if res.missing[i]:
        used.add("C13")
    if res.back_pay[i]:
        used.add("C19")
    return sorted(used, key=lambda c: int(c[1:]))


def explain_row(res: QuoteResults, i: int, ctx: RowContext) -> Quote:
    """The typed answer of row ``i`` (the row must have no error)."""
    year = ctx.coverage_year
    start = days_to_date(int(res.start[i])) if res.start_known[i] else None
    computed_start = days_to_date(int(res.start[i]))
    birth = ctx.birth_date
    if res.born_last_year[i] and res.newborn_in_window[i]:
        newborn_reason = f"出生于上一年且在出生后{ctx.newborn_window}内缴费,享受{year}年度待遇"
    elif res.newborn_in_window[i]:
        newborn_reason = f"在出生后{ctx.newborn_window}内缴费,从出生之日起享受待遇"
    else:
        newborn_reason = f"超过出生后{ctx.newborn_window}才缴费,从缴费次月1日起享受新发生的待遇"
    exempt_reason = ("新生儿在出生窗口内参保," if res.newborn_in_window[i]
                     else f"{ctx.group_name or '特殊群体'}由医疗救助资助参保,")
    values = {
        "deadline": ctx.deadline,
        "individual": fen_to_yuan(int(res.individual[i])),
        "subsidy": fen_to_yuan(int(res.subsidy[i])),
        "window": ctx.newborn_window,
        "group": ctx.group_name or "",
        "assist_kind": "全额资助" if res.assistance[i] == -res.individual[i] else "定额资助",
        "year": year,
        "start": _cn(computed_start),
        "lapse": int(res.lapse[i]),
        "birth": _cn(birth) if birth else "",
        "newborn_reason": newborn_reason,
        "emp_end": _cn(ctx.employee_end) if ctx.employee_end else "",
        "fixed": int(res.wait_fixed[i]),
        "variable_before": int(res.variable_before_repair[i]),
        "repaired": int(res.repaired[i]),
        "exempt_reason": exempt_reason,
    }
    rules: list[AppliedRule] = []
    for bit, rule in enumerate(RULES):
        if int(res.rules[i]) & (1 << bit):
            source = rule.source
            if rule.id in ("R-FEE-ONTIME", "R-FEE-LATE", "R-FEE-NEWBORN"):
                source += "; 个人缴费标准: " + ctx.sources.get("individual_share", "")
            if rule.id == "R-FEE-LATE":
                source += "; 财政补助: " + ctx.sources.get("fiscal_subsidy", "")
            rules.append(AppliedRule(rule.id, source, rule.text.format(**values)))
    rule_ids = [r.id for r in rules]
    flags = int(res.warnings[i])
    warnings = tuple(text.format(year=year) for bit, (_, text, _) in enumerate(WARNINGS)
                     if flags & (1 << bit))
    warning_codes = tuple(key for bit, (key, _, _) in enumerate(WARNINGS) if flags & (1 << bit))
    missing = tuple(
        name if name != "assistance" else f"assistance.{ctx.sources.get('group_code', '')}"
        for bit, name in enumerate(MISSING)
        if int(res.missing[i]) & (1 << bit)
    )
    notes = [Cited(t, s) for t, s in NOTES_LAPSE] if res.lapse[i] >= 1 else []
    if res.born_last_year[i] and res.newborn_in_window[i] and birth is not None:
        if res.back_pay[i] > 0:
            notes.append(Cited(f"已补缴出生当年({birth.year}年)参保费,出生当年自{_cn(birth)}起享受待遇(C4)。",
                               "seed 000_676d7a5ab6b5a1e6.txt 四、4"))
        else:
            notes.append(Cited(f"未补缴出生当年({birth.year}年),只能享受{year}年度待遇(C4)。",
                               "seed 000_676d7a5ab6b5a1e6.txt 四、4"))
    notes.extend(Cited(t, s) for t, s in ctx.region_notes)
    share_known = "individual_share" not in missing
    return Quote(
        region_code=ctx.region_code,
        region_name=ctx.region_name,
        coverage_year=year,
        payment_date=ctx.payment_date,
        amount_due_fen=int(res.amount[i]) if res.amount_known[i] else None,
        individual_fen=int(res.individual[i]) if share_known else None,
        fiscal_subsidy_fen=int(res.subsidy[i]) if "fiscal_subsidy" not in missing else None,
        assistance_fen=int(res.assistance[i]) if share_known else None,
        back_pay_fen=int(res.back_pay[i]) if share_known else None,
        benefit_start=start,
        benefit_end=days_to_date(int(res.end[i])),
        waiting_fixed=int(res.wait_fixed[i]),
        waiting_variable=int(res.wait_variable[i]),
        main_rule=main_rule_id(int(res.main_rule[i])),
        lapse_years=int(res.lapse[i]),
        rules=tuple(rules),
        warnings=warnings,
        warning_codes=warning_codes,
        missing=missing,
        conventions=tuple(Cited(CONVENTIONS[c], f"docs/rules.md §6 {c}", c)
                          for c in _conventions(rule_ids, res, i)),
        notes=tuple(notes),
    )
