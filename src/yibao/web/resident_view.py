"""A quote result told in plain words: first the next step, the total and the date
(:mod:`yibao.web.answer_view`), then — folded — the breakdown, why, the timeline,
warnings, notes and the rules with their citations.

    view = explain(result, form, birth_date, period)   # -> ResultView for the resident page

Every sentence is the answer's: the next step and the reason for the start are
``next_step`` and ``benefit_start_reason``, the reasons are the registry's rule texts
filled with this answer's figures (yibao.rules.registry). Nothing here states a rule, a
figure or a date of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from yibao.web.answer_view import Lead, lead_of
from yibao.web.forms import ResidentForm
from yibao.web.newborn_view import NewbornView, newborn_view
from yibao.web.plain import cite, zh_punct
from yibao.web.timeline import Timeline, build_timeline

__all__ = ["ResultView", "RuleLine", "explain", "pairs", "rule_lines"]

Pair = tuple[str, str]


@dataclass(frozen=True)
class RuleLine:
    title: Pair
    text: Pair
    source: str


@dataclass
class ResultView:
    lead: Lead
    amount_due: str | None  # the coverage year's amount (no back-pay)
    breakdown: list[tuple[str, str, str]]  # zh label, en label, "¥…" or "" (unpublished)
    coverage_year: int
    benefit_start: str | None  # the coverage year's first day of cover
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
    birth_year_start: str | None = None  # newborn with the birth year back-paid (C4)
    region: str = ""


def _dec(raw: Any) -> Decimal:
    try:
        return Decimal(str(raw))
    except ArithmeticError:
        return Decimal(0)


def _money(raw: Any) -> str:
    """``¥400.00``; an unpublished figure (None) stays empty for the template to name."""
    return "" if raw is None else f"¥{_dec(raw).copy_abs():.2f}"


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


def rule_lines(rules: list[dict[str, Any]], region: str | None = None,
               year: int | None = None) -> list[RuleLine]:
    """The applied rules with their titles and citations in words (the documents that speak
    for ``region`` and ``year``)."""
    return [RuleLine((str(r.get("title", "")), str(r.get("title_en", ""))),
                     (zh_punct(str(r.get("text", ""))), str(r.get("text_en", ""))),
                     cite(str(r.get("source", "")), region, year))
            for r in rules]


def _reasons(rules: list[dict[str, Any]]) -> list[Pair]:
    """This answer's reasons, from the registry's texts of the rules that decided it."""
    keep = ("R-FEE", "R-START", "R-WAIT", "R-LAPSE-RESET")
    return [(zh_punct(str(r["text"])), str(r["text_en"])) for r in rules
            if str(r.get("id", "")).startswith(keep)]


def pairs(zh: list[Any], en: list[Any]) -> list[Pair]:
    """Chinese texts with their English ones (the Chinese again where one is missing)."""
    return [(zh_punct(str(a)), str(en[i]) if i < len(en) else str(a)) for i, a in enumerate(zh)]


def explain(result: dict[str, Any], form: ResidentForm, birth_date: date | None,
            period: tuple[date, date] | None = None) -> ResultView:
    """Turn a contract result into what the resident page shows; ``period`` is the coverage
    year's concentrated period (policy data) for the timeline."""
    year = int(result["coverage_year"])
    paid = date.fromisoformat(str(result["payment_date"]))
    raw_start = result.get("benefit_start")
    start = date.fromisoformat(raw_start) if raw_start else None
    waiting = result.get("waiting_months") or {}
    fixed, variable = int(waiting.get("fixed", 0)), int(waiting.get("variable", 0))
    rules = list(result.get("rules", []))
    ids = {str(r.get("id")) for r in rules}
    special = "R-FEE-ASSIST" in ids
    if special:  # assistance pays the share: the general fee rule would mislead
        rules = [r for r in rules if r.get("id") not in ("R-FEE-ONTIME", "R-FEE-LATE")]
    lines = _reasons(rules)
    reason = result.get("benefit_start_reason")
    if reason:
        lines.append((zh_punct(str(reason["text"])) + "。", str(reason["text_en"]) + "."))
    lapse = int(result.get("lapse_years") or 0)
    raw_from = result.get("waiting_from")
    born_here = birth_date if birth_date and birth_date.year == year else None
    timeline = build_timeline(
        coverage_year=year, payment_date=paid, benefit_start=start,
        lapse_years=list(range(year - lapse, year)), birth_date=born_here,
        waiting_from=date.fromisoformat(raw_from) if raw_from else None, period=period)
    region = str((result.get("region") or {}).get("code", ""))
    newborn = None
    last_day = result.get("newborn_last_day")
    if birth_date is not None and last_day:
        newborn = newborn_view(region, year, birth_date, paid, date.fromisoformat(last_day))
    return ResultView(
        lead=lead_of(result), amount_due=result.get("amount_due"),
        breakdown=_breakdown(result, special), coverage_year=year, benefit_start=raw_start,
        fixed=fixed, variable=variable, explanation=lines, rules=rule_lines(rules, region, year),
        warnings=pairs(result.get("warnings", []), result.get("warnings_en", [])),
        missing=pairs(result.get("missing_labels", []), result.get("missing_labels_en", [])),
        timeline=timeline, assistance=_tilt(result, form), newborn=newborn,
        notes=[(zh_punct(str(n["text"])), _note_en(n, result), cite(str(n["source"]), region, year))
               for n in result.get("notes", [])],
        birth_year_start=result.get("birth_year_cover_from"), region=region,
    )


def _note_en(note: dict[str, Any], result: dict[str, Any]) -> str:
    """The English of a note: the registry's, matched by its Chinese text."""
    from yibao.web.notes_en import note_english

    return note_english(str(note["text"]), result)


def _tilt(result: dict[str, Any], form: ResidentForm) -> tuple[str, str, str] | None:
    """What tilt assistance offers, for a member of a special group where it is published."""
    if not form.special_group:
        return None
    from yibao.quoting.assistance import plain_terms

    region = result.get("region") or {}
    code, year = str(region.get("code", "")), int(result.get("coverage_year", 0))
    found = plain_terms(code, year)
    return None if found is None else (zh_punct(found[0]), found[1], cite(found[2], code, year))
