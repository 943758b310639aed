"""Turn one row of engine output into a typed :class:`~yibao.rules.answer.Quote`.

Every text comes from the registry (:mod:`yibao.rules.registry`, :mod:`yibao.rules.messages`),
filled with the figures of the region and year and with the row's own values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from yibao.rules.advice import Advice
from yibao.rules.advice_words import (
    AdviceContext,
    back_pay_effect,
    next_step,
    no_effect_figures,
    start_reason,
)
from yibao.rules.answer import AppliedRule, Cited, Quote
from yibao.rules.calendar import days_to_date
from yibao.rules.continuity import CatastrophicRise, catastrophic_rise
from yibao.rules.conventions import CONVENTIONS
from yibao.rules.engine import MISSING, QuoteResults
from yibao.rules.messages import (
    ADVICE_WARNINGS,
    ENGINE_WARNINGS,
    NOTE_BIRTH_YEAR_PAID,
    NOTE_BIRTH_YEAR_UNPAID,
    NOTES_LAPSE,
    PARAMETER_LABELS,
    STATUS_NAMES,
)
from yibao.rules.money import fen_to_yuan
from yibao.rules.policy import OLD
from yibao.rules.registry import RULE, RULES, Rule, placeholders, render, tidy
from yibao.rules.sources import RULES_DOC
from yibao.rules.wording import cn_date

__all__ = ["RiseWords", "RowContext", "explain_row", "main_rule_id", "rise_parts"]


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
    group_code: str | None
    group_name: str | None
    group_name_en: str | None
    figures: Mapping[str, str]  # the policy figures of this region and year (wording)
    sources: Mapping[str, str]  # parameter → citation for this region and year
    policy_version: str
    region_notes: tuple[tuple[str, str], ...] = ()
    hardship: bool = False
    status_kind: str | None = None  # contract §2.2
    status_date: date | None = None
    incentive: Mapping[str, Any] | None = None  # catastrophic_incentive, where published
    incentive_source: str = ""
    base_cap_fen: int | None = None  # catastrophic_base_cap, None while unpublished
    back_paid: tuple[int, ...] = ()  # the request's back-paid years
    #: (year, fen) of the latest published share when the coverage year's is unpublished (C27)
    reference_share: tuple[int, int] | None = None
    #: the policy figures and reference share of the year the next step pays for, when it
    #: is the next year (None: the coverage year's)
    step_figures: Mapping[str, str] | None = None
    step_reference_share: tuple[int, int] | None = None


def _advice_conventions(res: QuoteResults, i: int, ctx: RowContext, advice: Advice | None,
                        full: bool) -> set[str]:
    used: set[str] = set()
    if res.born_last_year[i] and not res.newborn_in_window[i]:
        used.add("C26")
    if ctx.reference_share is not None or ctx.step_reference_share is not None:
        used.add("C27")
    if advice is None:
        return used
    used.add("C23")
    if res.back_pay_years[i]:
        used.add("C22")
        if full:
            used.add("C25")
    if int(advice.step_lapse[i]) and int(advice.scenario.regime[int(advice.step_row[i])]) != OLD:
        used.add("C24")
    return used


def _conventions(rule_ids: list[str], res: QuoteResults, i: int, hardship: bool) -> list[str]:
    used = {"C11"}
    for rule_id in rule_ids:
        used.update(RULE[rule_id].conventions)
    if res.regime[i] == OLD:
        used.add("C14")
    if res.missing[i]:
        used.add("C13")
    if res.back_pay[i]:
        used.add("C19")
    if hardship:
        used.add("C9")
    return sorted(used, key=lambda c: int(c[1:]))


def _variant_conventions(res: QuoteResults, i: int, ctx: RowContext) -> set[str]:
    """The conventions of the regional variants and continuous years that decided row i."""
    used: set[str] = set()
    if ctx.status_kind is not None:
        used.add("C30")
    if res.wait_fixed_days[i]:
        used.add("C32")
    if res.newborn_in_window[i] and ctx.figures.get("window_kind") == "birth_year":
        used.add("C33")
    if res.continuous[i] >= 0:
        used.add("C36")
    return used


def _row_figures(res: QuoteResults, i: int, ctx: RowContext) -> dict[str, str]:
    computed = days_to_date(int(res.start[i]))
    birth = ctx.birth_date
    window, window_en = ctx.figures["window"], ctx.figures["window_en"]
    if res.born_last_year[i] and res.newborn_in_window[i]:
        reason = (f"出生于上一年且在出生后{window}内缴费,享受{ctx.coverage_year}年度待遇",
                  f"was born the year before and paid within {window_en}")
    elif res.newborn_in_window[i]:
        reason = (f"在出生后{window}内缴费,从出生之日起享受待遇", f"paid within {window_en} of birth")
    else:
        reason = (f"超过出生后{window}才缴费,从缴费次月1日起享受新发生的待遇",
                  f"paid later than {window_en} after birth")
    if res.newborn_in_window[i]:
        exempt = ("新生儿在出生窗口内参保,", "A newborn enrolled within the window")
    elif res.status_exempt[i] and ctx.status_kind in STATUS_NAMES and ctx.status_date:
        name, name_en = STATUS_NAMES[ctx.status_kind]
        exempt = (f"{name}自{cn_date(ctx.status_date)}起{ctx.figures['status_window']}内参保缴费,",
                  f"{name_en} since {ctx.status_date.isoformat()}, paying within "
                  f"{ctx.figures['status_window_en']}")
    else:
        exempt = (f"{ctx.group_name or '特殊群体'}由医疗救助资助参保,",
                  f"{ctx.group_name_en or 'A special group'} assisted by medical assistance")
    full = res.assistance[i] == -res.individual[i]
    repaired = int(res.repaired[i])
    per_year = ctx.figures["repair_per_year"]
    return {
        **ctx.figures,
        "start": cn_date(computed), "start_en": computed.isoformat(),
        "lapse": str(int(res.lapse[i])),
        "birth": cn_date(birth) if birth else "", "birth_en": birth.isoformat() if birth else "",
        "emp_end": cn_date(ctx.employee_end) if ctx.employee_end else "",
        "emp_end_en": ctx.employee_end.isoformat() if ctx.employee_end else "",
        "group": ctx.group_name or "", "group_en": ctx.group_name_en or "",
        "assist_kind": "全额资助" if full else "定额资助",
        "assist_kind_en": "in full" if full else "a fixed amount",
        "fixed": str(int(res.wait_fixed[i])),
        "variable_before": str(int(res.variable_before_repair[i])),
        "repaired": str(repaired),
        "repaired_months": str(repaired * int(per_year)) if per_year.isdigit() else per_year,
        "newborn_reason": reason[0], "newborn_reason_en": reason[1],
        "exempt_reason": exempt[0], "exempt_reason_en": exempt[1],
    }


def _source(base: str, parameters: tuple[str, ...], sources: Mapping[str, str]) -> str:
    parts = [base]
    for name in parameters:
        cited = sources.get(name)
        if cited and cited not in parts:
            parts.append(cited)
    return "; ".join(parts)


#: per rule: the placeholders of its four texts (what its filled texts depend on)
_PLACEHOLDERS = {rule.id: tuple(sorted(set().union(*(placeholders(t) for t in (
    rule.text, rule.text_en, rule.plain, rule.plain_en))))) for rule in RULES}
#: filled rules by (rule, citation, the figures it reads): the same figures, the same words
_APPLIED: dict[tuple[str, ...], AppliedRule] = {}


def _applied(rule: Rule, figures: Mapping[str, str], sources: Mapping[str, str]
             ) -> AppliedRule:
    """``rule`` with its texts filled from ``figures``, each set of figures filled once."""
    source = _source(rule.source, rule.parameters, sources)
    key = (rule.id, source, *(figures[name] for name in _PLACEHOLDERS[rule.id]))
    found = _APPLIED.get(key)
    if found is None:
        if len(_APPLIED) > 65_536:
            _APPLIED.clear()
        found = _APPLIED[key] = AppliedRule(
            rule.id, source, render(rule.text, figures), title=rule.title,
            title_en=rule.title_en, text_en=render(rule.text_en, figures),
            plain=render(rule.plain, figures), plain_en=render(rule.plain_en, figures))
    return found


@lru_cache(maxsize=4096)
def _cited_conventions(ids: frozenset[str]) -> tuple[Cited, ...]:
    """The conventions ``ids`` cited in their order (C1, C2, …), once per set."""
    return tuple(Cited(CONVENTIONS[cid].text, f"{RULES_DOC} §6 {cid}", cid)
                 for cid in sorted(ids, key=lambda c: int(c[1:])))


def _missing(res: QuoteResults, i: int, ctx: RowContext) -> tuple[str, ...]:
    flags = int(res.missing[i])
    out: list[str] = []
    for bit, name in enumerate(MISSING):
        if not flags & (1 << bit):
            continue
        if name == "individual_share":
            if not res.share_known[i]:
                out.append(name)
            if not res.back_pay_known[i] and res.share_known[i] and ctx.birth_date:
                out.append(f"{name}.{ctx.birth_date.year}")  # a newborn's birth year (C19)
        elif name == "assistance":
            out.append(f"{name}.{ctx.group_code or ''}")
        else:
            out.append(name)
    return tuple(out)


def _advice_context(ctx: RowContext) -> AdviceContext:
    return AdviceContext(
        coverage_year=ctx.coverage_year, payment_date=ctx.payment_date,
        birth_date=ctx.birth_date, group_name=ctx.group_name, group_name_en=ctx.group_name_en,
        back_paid=ctx.back_paid, figures=ctx.figures,
        step_figures=ctx.step_figures if ctx.step_figures is not None else ctx.figures,
        reference_share=ctx.step_reference_share if ctx.step_figures is not None
        else ctx.reference_share)


def explain_row(res: QuoteResults, i: int, ctx: RowContext, advice: Advice | None = None
                ) -> Quote:
    """The typed answer of row ``i`` (the row must have no error); with ``advice``
    (:func:`yibao.rules.advice.evaluate_with_advice`) it carries the next step and what
    its back-pay buys (contract §2.1)."""
    year, birth = ctx.coverage_year, ctx.birth_date
    figures = _row_figures(res, i, ctx)
    bits = int(res.rules[i])
    rules = tuple(_applied(rule, figures, ctx.sources)
                  for bit, rule in enumerate(RULES) if bits & (1 << bit))
    flags = int(res.warnings[i])
    shown = [ENGINE_WARNINGS[bit] for bit in range(min(flags.bit_length(), len(ENGINE_WARNINGS)))
             if flags >> bit & 1]
    notes = [Cited(n.text, n.source) for n in NOTES_LAPSE] if res.lapse[i] >= 1 else []
    if res.born_last_year[i] and res.newborn_in_window[i] and birth is not None:
        note = NOTE_BIRTH_YEAR_PAID if res.back_pay_years[i] > 0 else NOTE_BIRTH_YEAR_UNPAID
        words = {**figures, "birth_year": str(birth.year)}
        notes.append(Cited(render(note.text, words), note.source))
    notes.extend(Cited(t, s) for t, s in ctx.region_notes)
    missing = _missing(res, i, ctx)
    share_known = bool(res.share_known[i])
    continuous = int(res.continuous[i])
    rise, rise_words = (_rise(continuous, year, ctx) if ctx.incentive is not None
                        and continuous >= 0 else (None, ("", "")))
    actx = _advice_context(ctx)
    warning_texts = [(w.code, render(w.text, figures), render(w.text_en, figures)) for w in shown]
    effect = back_pay_effect(res, i, advice) if advice is not None else None
    if effect is not None and advice is not None and effect.months_earlier == 0:
        w = ADVICE_WARNINGS[0]
        words = no_effect_figures(res, i, advice, actx)
        warning_texts.append((w.code, tidy(w.text.format_map(words)),
                              tidy(w.text_en.format_map(words))))
    full = res.assistance[i] == -res.individual[i] and res.individual[i] > 0
    conventions = _cited_conventions(frozenset(
        _conventions([r.id for r in rules], res, i, ctx.hardship))
        | _variant_conventions(res, i, ctx)
        | _advice_conventions(res, i, ctx, advice, bool(full)))
    general = res.wait_from[i] > 0
    return Quote(
        region_code=ctx.region_code,
        region_name=ctx.region_name,
        coverage_year=year,
        payment_date=ctx.payment_date,
        amount_due_fen=int(res.amount[i]) if res.amount_known[i] else None,
        individual_fen=int(res.individual[i]) if share_known else None,
        fiscal_subsidy_fen=int(res.subsidy[i]) if "fiscal_subsidy" not in missing else None,
        assistance_fen=int(res.assistance[i]) if share_known and res.assistance_known[i]
        else None,
        back_pay_fen=int(res.back_pay[i]) if res.back_pay_known[i] or not res.back_pay_years[i]
        else None,
        benefit_start=days_to_date(int(res.start[i])) if res.start_known[i] else None,
        benefit_end=days_to_date(int(res.end[i])),
        waiting_fixed=int(res.wait_fixed[i]),
        waiting_variable=int(res.wait_variable[i]),
        main_rule=main_rule_id(int(res.main_rule[i])),
        lapse_years=int(res.lapse[i]),
        rules=rules,
        warnings=tuple(t[1] for t in warning_texts),
        warning_codes=tuple(t[0] for t in warning_texts),
        warnings_en=tuple(t[2] for t in warning_texts),
        missing=missing,
        missing_labels=tuple(_label(name, ctx)[0] for name in missing),
        missing_labels_en=tuple(_label(name, ctx)[1] for name in missing),
        conventions=conventions,
        notes=tuple(notes),
        policy_version=ctx.policy_version,
        back_pay_years=int(res.back_pay_years[i]),
        waiting_fixed_days=int(res.wait_fixed_days[i]),
        continuous_years=continuous if continuous >= 0 else None,
        catastrophic=rise,
        catastrophic_text=rise_words,
        back_pay_effect=effect,
        newborn_last_day=days_to_date(int(res.newborn_last[i])) if res.newborn_last[i] else None,
        next_step=next_step(res, i, actx, advice) if advice is not None else None,
        start_reason=start_reason(res, i, actx),
        waiting_from=days_to_date(int(res.wait_from[i])) if general else None,
        waiting_until=days_to_date(int(res.start[i])) if general else None,
        reference_share=ctx.reference_share,
        birth_year_cover_from=days_to_date(int(res.birth_year_from[i]))
        if res.birth_year_from[i] else None,
    )


#: the rise and its words by (count, year, base cap, incentive): a few per region and year
_RISES: dict[tuple[Any, ...], tuple[CatastrophicRise, tuple[str, str]]] = {}


def _rise(continuous: int, year: int, ctx: RowContext
          ) -> tuple[CatastrophicRise, tuple[str, str]]:
    """The catastrophic-cover rise of ``continuous`` years and its words, each once."""
    assert ctx.incentive is not None
    try:
        key: tuple[Any, ...] = (continuous, year, ctx.base_cap_fen, ctx.incentive_source,
                                *sorted(ctx.incentive.items()))
        found = _RISES.get(key)
    except TypeError:  # an incentive with unhashable parts: words made on each call
        key, found = (), None
    if found is None:
        rise = catastrophic_rise(continuous, year, ctx.incentive, ctx.base_cap_fen,
                                 source=ctx.incentive_source)
        found = (rise, _rise_words(rise))
        if key:
            if len(_RISES) > 65_536:
                _RISES.clear()
            _RISES[key] = found
    return found


@dataclass(frozen=True)
class RiseWords:
    """The catastrophic-cover rise in words, in parts (zh, en): the count, the rule with
    its figures, what this count earns, and the base cap when it is unpublished."""

    years: tuple[str, str]
    rule: tuple[str, str]
    earned: tuple[str, str]
    cap: tuple[str, str] | None


def rise_parts(rise: CatastrophicRise) -> RiseWords:
    """The rise's words in parts (a notice shows the rule once and each member's count)."""
    per, zero = fen_to_yuan(rise.rise_per_year_fen), fen_to_yuan(rise.zero_claim_rise_fen)
    rule = (f"连续参保满{rise.after_years}年后,每再连续参保1年,大病保险最高支付限额提高{per}元;当年基金零报销"
            f"的,次年提高{zero}元;累计提高不超过原封顶线的{rise.max_percent_of_base}%。",
            f"After {rise.after_years} full continuous years, each further year raises the "
            f"catastrophic-illness cap by {per} yuan (and {zero} yuan the year after a year "
            f"without claims), at most {rise.max_percent_of_base}% of the base cap in all.")
    if rise.rise_fen:
        earned = (f"本年度提高{fen_to_yuan(rise.rise_fen)}元。",
                  f"This year's rise: {fen_to_yuan(rise.rise_fen)} yuan.")
    else:
        earned = (f"按时连续参保,自{rise.rise_from_year}年度起提高。",
                  f"Paying on time every year, the first rise comes in {rise.rise_from_year}.")
    cap = None if rise.limit_fen is not None else (
        "原封顶线未公布,累计上限暂无法计算。",
        "The base cap is not published, so the limit cannot be computed yet.")
    return RiseWords((f"连续参保{rise.continuous_years}年。",
                      tidy(f"{rise.continuous_years} continuous year(s).")), rule, earned, cap)


def _rise_words(rise: CatastrophicRise) -> tuple[str, str]:
    """The catastrophic-cover rise in words (zh, en), its figures from the policy data."""
    w = rise_parts(rise)
    parts = [w.years, w.rule, w.earned, *([w.cap] if w.cap else [])]
    return "".join(p[0] for p in parts), " ".join(p[1] for p in parts)


def _label(name: str, ctx: RowContext) -> tuple[str, str]:
    """A missing figure in words: ``individual_share.2020`` → ``2020年度个人缴费标准``."""
    base, _, detail = name.partition(".")
    zh, en = PARAMETER_LABELS.get(base, (base, base))
    year = detail if base == "individual_share" and detail else str(ctx.coverage_year)
    if base == "assistance":
        return (f"{year}年度{ctx.group_name or ''}的{zh}",
                f"{en} for {ctx.group_name_en or ''} ({year})")
    return f"{year}年度{zh}", f"{en} ({year})"
