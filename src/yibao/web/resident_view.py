"""A quote result told in plain words: amount, breakdown, start date, why, what next.

    view = explain(result, form, birth_date)   # -> ResultView for the resident page

Every sentence about a rule is the rule's text from the registry, filled with the
figures of this answer (yibao.rules.registry); the page adds only dates and amounts of
the answer itself. Nothing here states a rule or a figure of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from yibao.rules.calendar import add_months_to_date
from yibao.web.forms import ResidentForm
from yibao.web.newborn_view import NewbornView, newborn_view
from yibao.web.plain import cite, zh_punct
from yibao.web.timeline import Timeline, build_timeline

__all__ = ["ResultView", "RuleLine", "explain"]

Pair = tuple[str, str]


@dataclass(frozen=True)
class RuleLine:
    title: Pair
    text: Pair
    source: str


@dataclass
class ResultView:
    amount_due: str | None
    total_now: str | None
    breakdown: list[tuple[str, str, str]]  # zh label, en label, "¥…" or "" (unpublished)
    benefit_start: str | None
    benefit_end: str | None
    fixed: int
    variable: int
    explanation: list[Pair]
    rules: list[RuleLine]
    warnings: list[Pair]
    missing: list[Pair]
    timeline: Timeline | None
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # zh, en, citation
    assistance: tuple[str, str, str] | None = None  # tilt assistance: zh, en, citation
    newborn: NewbornView | None = None
    no_cover: bool = False  # the payment buys no cover in the coverage year
    birth_year_start: str | None = None  # newborn with the birth year back-paid
    next_steps: list[Pair] = field(default_factory=list)


def _dec(raw: Any) -> Decimal:
    try:
        return Decimal(str(raw))
    except ArithmeticError:
        return Decimal(0)


def _money(raw: Any) -> str:
    """``¥400.00``; an unpublished figure (None) stays empty for the template to name."""
    return "" if raw is None else f"¥{_dec(raw).copy_abs():.2f}"


def _wait_sentence(fixed: int, variable: int, anchor: date, start: date) -> Pair:
    total = fixed + variable
    zh = f"等待期共 {total} 个月（固定 {fixed} 个月"
    en = f"You wait {total} months ({fixed} fixed"
    if variable:
        zh += f" + 断保变动 {variable} 个月"
        en += f" + {variable} for the lapse"
    zh += f"），从 {anchor.isoformat()} 起算，{start.isoformat()} 起可以报销。"
    en += f"), counted from {anchor.isoformat()}: claims are paid from {start.isoformat()}."
    return zh, en


def _breakdown(result: dict[str, Any], special: bool) -> list[tuple[str, str, str]]:
    parts = result.get("breakdown") or {}
    rows = [("个人缴费标准", "Individual share", _money(parts.get("individual")))]
    subsidy = parts.get("fiscal_subsidy")
    if subsidy is None or _dec(subsidy):
        rows.append(("财政补助部分（逾期缴费由您承担）", "Subsidy share (borne by you when late)",
                     _money(subsidy)))
    assistance = parts.get("assistance")
    if special:
        rows.append(("医疗救助代缴（从应缴中扣除）", "Paid by medical assistance (deducted)",
                     _money(assistance)))
    back = parts.get("back_pay")
    if back is None or _dec(back):
        rows.append(("补缴往年", "Back-payment of past years", _money(back)))
    return rows


def _rule_lines(rules: list[dict[str, Any]]) -> list[RuleLine]:
    return [RuleLine((str(r.get("title", "")), str(r.get("title_en", ""))),
                     (zh_punct(str(r.get("text", ""))), str(r.get("text_en", ""))),
                     cite(str(r.get("source", ""))))
            for r in rules]


def _reasons(rules: list[dict[str, Any]], special: bool) -> list[Pair]:
    """This answer's reasons, from the registry's texts of the rules that decided it.

    For a special group, the assistance text replaces the fee rule (the person does not
    pay the individual share themselves).
    """
    skip = {"R-FEE-ONTIME", "R-FEE-LATE"} if special else set()
    keep = ("R-FEE", "R-START", "R-WAIT", "R-LAPSE-RESET")
    return [(zh_punct(str(r["text"])), str(r["text_en"])) for r in rules
            if str(r.get("id", "")).startswith(keep) and r.get("id") not in skip]


def explain(result: dict[str, Any], form: ResidentForm, birth_date: date | None) -> ResultView:
    """Turn a contract result into what the resident page shows."""
    year = int(form.coverage_year)
    paid = date.fromisoformat(form.payment_date)
    jan1 = date(year, 1, 1)
    raw_start = result.get("benefit_start")
    start = date.fromisoformat(raw_start) if raw_start else None
    waiting = result.get("waiting_months") or {}
    fixed, variable = int(waiting.get("fixed", 0)), int(waiting.get("variable", 0))
    rules = list(result.get("rules", []))
    ids = {str(r.get("id")) for r in rules}
    special = "R-FEE-ASSIST" in ids
    if special:  # assistance pays the share: the general fee rule would mislead
        rules = [r for r in rules if r.get("id") not in ("R-FEE-ONTIME", "R-FEE-LATE")]
    lines = _reasons(rules, special)
    anchor = max(paid, jan1)
    if start is None and fixed + variable > 0:
        ends = add_months_to_date(anchor, fixed + variable).isoformat()
        lines.append((f"等待期共 {fixed + variable} 个月，从 {anchor.isoformat()} 起算，要到 {ends} 才满，"
                      f"已晚于{year}年12月31日：这笔缴费在{year}年内不能带来待遇天数。",
                      f"The wait of {fixed + variable} months, counted from {anchor.isoformat()}, "
                      f"ends on {ends}, after December 31, {year}: this payment buys no days of "
                      f"cover in {year}."))
    elif start is None:
        lines.append((f"这笔缴费在{year}年内不能带来待遇天数。",
                      f"This payment buys no days of cover in {year}."))
    elif fixed + variable > 0:
        lines.append(_wait_sentence(fixed, variable, anchor, start))
    elif start == jan1:
        lines.append((f"从 {year} 年 1 月 1 日起享受待遇，没有等待期。",
                      f"Covered from January 1, {year}; no waiting period."))
    else:
        lines.append((f"从 {start.isoformat()} 起享受待遇。", f"Covered from {start.isoformat()}."))
    amount = result.get("amount_due")
    back = (result.get("breakdown") or {}).get("back_pay")
    total = None
    if amount is not None and back is not None:
        total = f"{_dec(amount) + _dec(back):.2f}"
    born_here = birth_date if birth_date and birth_date.year == year else None
    timeline = build_timeline(coverage_year=year, payment_date=paid, benefit_start=start,
                              lapse_years=form.lapse_years(), birth_date=born_here)
    newborn = None
    region = str((result.get("region") or {}).get("code", ""))
    if birth_date is not None and ids & {"R-FEE-NEWBORN", "R-START-NEWBORN"}:
        newborn = newborn_view(region, year, birth_date, paid)
    view = ResultView(
        amount_due=amount, total_now=total, breakdown=_breakdown(result, special),
        benefit_start=raw_start, benefit_end=result.get("benefit_end"),
        fixed=fixed, variable=variable, explanation=lines, rules=_rule_lines(rules),
        warnings=_pairs(result.get("warnings", []), result.get("warnings_en", [])),
        missing=_pairs(result.get("missing_labels", []), result.get("missing_labels_en", [])),
        timeline=timeline, assistance=_tilt(result, form), newborn=newborn,
        no_cover=start is None,
        notes=[(zh_punct(str(n["text"])), _note_en(n, result), cite(str(n["source"])))
               for n in result.get("notes", [])],
    )
    if newborn and birth_date and birth_date.year == year - 1 and \
            str(birth_date.year) in form.back_pay_years and newborn.inside:
        view.birth_year_start = birth_date.isoformat()
    view.next_steps = _next_steps(view, form, result)
    return view


def _note_en(note: dict[str, Any], result: dict[str, Any]) -> str:
    """The English of a note: the registry's, matched by its Chinese text."""
    from yibao.web.notes_en import note_english

    return note_english(str(note["text"]), result)


def _next_steps(view: ResultView, form: ResidentForm, result: dict[str, Any]) -> list[Pair]:
    """What the resident can do when this payment would buy no cover, or waits long."""
    steps: list[Pair] = []
    year = int(form.coverage_year)
    lapse = form.lapse_years()
    if view.no_cover:
        steps.append((f"先不要急着为{year}年度缴费：按现在的日期缴费，{year}年内享受不到待遇。",
                      f"Do not rush to pay for {year}: paid now, it gives no cover in {year}."))
    if (view.no_cover or view.variable) and lapse and year >= 2025:
        steps.append(("补缴断保的年度可以缩短变动等待期；用“哪天缴”比较补缴几年、哪天缴费最合适。",
                      "Back-paying lapse years shortens the variable wait; use the planner to "
                      "compare how many years to back-pay and which day to pay."))
    if view.no_cover:
        steps.append(("也可以等到下一年度的集中缴费期再缴费，或先向当地医保经办机构咨询。",
                      "You can also pay in the next year's concentrated period, or ask your "
                      "local medical-insurance office first."))
    return steps


def _pairs(zh: list[Any], en: list[Any]) -> list[Pair]:
    """Chinese texts with their English ones (the Chinese again where one is missing)."""
    return [(zh_punct(str(a)), str(en[i]) if i < len(en) else str(a)) for i, a in enumerate(zh)]


def _tilt(result: dict[str, Any], form: ResidentForm) -> tuple[str, str, str] | None:
    """What tilt assistance offers, for a member of a special group where it is published."""
    if not form.special_group:
        return None
    from yibao.quoting.assistance import plain_terms

    region = result.get("region") or {}
    found = plain_terms(str(region.get("code", "")), int(result.get("coverage_year", 0)))
    return None if found is None else (zh_punct(found[0]), found[1], cite(found[2]))
