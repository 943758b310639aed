"""What the registry and the engine say of a registered person, for the console: the payment
form's view (history, special group and the answer for the form's year and date) and the
person page's years (each year's record, or the answer for paying it today).

    view = await registry_view(who, form)          # the payment form
    years = standing_view(found)                   # found: PersonAnswers (person page, receipt)
    years.lead, years.owed, years.years[0].lines

Every date, amount, reason and next step is the answer's (contract §2.1: ``next_step``,
``total_due``, ``benefit_start``, ``benefit_start_reason``) or the registry's (an
enrollment's cover, what arrived, the balance still owed, the reason recorded when the
cover was fixed); this module only chooses which to show and words the labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from yibao.errors import YibaoError
from yibao.policy import reference_data as reference
from yibao.rules.answer_json import quote_to_contract
from yibao.services.inputs import PersonQuoteIn
from yibao.services.registry.history import history_view
from yibao.services.registry.history_entries import get_history
from yibao.services.registry.quotes import QuoteFacts, quote_person
from yibao.services.shapes import Enrollment, PersonAnswers, YearAnswer
from yibao.web.answer_view import Lead, lead_of, reference_words
from yibao.web.console import Staff, checked
from yibao.web.enrollment_words import ASSISTED, PAID, assisted, cover_words, owed_words, yuan_words
from yibao.web.forms import coverage_year_of
from yibao.web.plain import zh_punct

__all__ = ["Standing", "YearView", "registry_view", "standing_view"]

Pair = tuple[str, str]
@dataclass
class YearView:
    """One year on the person page: state, its lines, and its own next step."""

    year: int
    state: str  # paid | assisted | underpaid | pending | unpaid | refused
    words: Pair
    lines: list[Pair] = field(default_factory=list)
    step: Pair | None = None  # the answer's next step, where it is not the page's head
    owed: Pair | None = None


@dataclass
class Standing:
    """The person page's head and years."""

    lead: Lead | None  # the answer of the first year to pay
    owed: list[Pair]  # underpayments: the shortfall and what to do, first
    years: list[YearView]
    done: Pair | None = None  # every year asked is paid: what the registry holds


_STATE: dict[str, Pair] = {
    "paid": ("已缴费", "Paid"),
    "assisted": ("医疗救助全额资助", "Paid by medical assistance"),
    "underpaid": ("少缴", "Underpaid"),
    "pending": ("已缴费，待核定", "Paid, to be settled"),
    "unpaid": ("未缴费", "Not paid"),
    "refused": ("不能缴费", "Cannot be paid"),
}


def _answer(y: YearAnswer) -> dict[str, Any] | None:
    return None if y.answer is None else y.answer.model_dump(mode="json")


def _unpaid_lines(result: dict[str, Any]) -> list[Pair]:
    """Paying today, from the answer: the amount (or who pays it), the start and its reason."""
    if result["next_step"]["code"] == "nothing_to_pay":
        lines = [ASSISTED]
    else:
        amount = result["total_due"]
        line = ((f"今天缴费应缴：¥{amount}", f"Due if paid today: ¥{amount}") if amount is not None
                else ("今天缴费应缴：金额暂未公布", "Due if paid today: not published yet"))
        ref = reference_words(result.get("reference_share")) if amount is None else None
        if ref:
            line = (f"{line[0]}（{ref[0]}）", f"{line[1]} ({ref[1]})")
        lines = [line]
    start = result["benefit_start"]
    lines.append((f"今天缴费，待遇从 {start} 起", f"Paid today, cover starts on {start}") if start
                 else ("今天缴费，该年度内享受不到待遇。", "Paid today, it gives no cover that year."))
    reason = result.get("benefit_start_reason")
    if reason:
        lines.append((f"原因：{zh_punct(str(reason['text']))}", f"Why: {reason['text_en']}"))
    for zh, en in zip(result.get("missing_labels", []), result.get("missing_labels_en", []),
                      strict=False):
        lines.append((f"暂未公布：{zh}", f"Not published yet: {en}"))
    return lines


def _year(y: YearAnswer) -> YearView:
    e, result = y.enrollment, _answer(y)
    if e is not None and e.status in PAID:
        state = "assisted" if assisted(e) else "underpaid" if e.balance_due else "paid"
        view = YearView(y.coverage_year, state, _STATE[state])
        if state == "assisted":
            view.lines.append(ASSISTED)
        else:
            view.lines.append((f"已缴 {yuan_words(e.amount_paid or 0)}", f"Paid {yuan_words(e.amount_paid or 0)}"))
        view.lines += cover_words(e)
        if state == "underpaid":
            view.owed = owed_words(e)
        if e.benefit_start is None and result is not None:  # no cover: what now
            view.step = (zh_punct(str(result["next_step"]["text"])),
                         str(result["next_step"]["text_en"]))
        return view
    if e is not None and e.status == "pending":
        return YearView(y.coverage_year, "pending", _STATE["pending"], [
            ("已收到缴费；该年度的数额公布后，再核定待遇开始日。",
             "The payment arrived; the first day of cover is set once the year's figures "
             "are published.")])
    if result is None:
        refusal = y.refusal
        words = (refusal.message, refusal.message_en) if refusal else ("", "")
        return YearView(y.coverage_year, "refused", _STATE["refused"], [words])
    view = YearView(y.coverage_year, "unpaid", _STATE["unpaid"], _unpaid_lines(result))
    view.step = (zh_punct(str(result["next_step"]["text"])), str(result["next_step"]["text_en"]))
    return view


def standing_view(found: PersonAnswers, enrollments: Sequence[Enrollment] = ()) -> Standing:
    """The person page's head (the first unpaid year's answer) and its years; every
    underpayment of ``enrollments`` (all the person's years) comes first."""
    years = [_year(y) for y in found.years]
    first = next((r for y, v in zip(found.years, years, strict=True)
                  if v.state == "unpaid" and (r := _answer(y)) is not None), None)
    lead = lead_of(first) if first is not None else None
    for v in years:
        if lead is not None and v.step == lead.text:
            v.step = None  # the head says it already
    owed = [owed_words(e) for e in enrollments if e.balance_due and e.status in PAID]
    owed += [v.owed for v in years if v.owed is not None and v.owed not in owed]
    done = None
    if lead is None and not owed and years and all(v.state in ("paid", "assisted")
                                                  for v in years):
        shown = "、".join(str(v.year) for v in years)
        done = (f"{shown}年度均已缴费。", f"{', '.join(str(v.year) for v in years)}: paid.")
    return Standing(lead, owed, years, done)


async def registry_view(who: Staff, form: dict[str, str]) -> dict[str, Any] | None:
    """None without a usable ID number; else history, the special group and the answer for
    the form's year and date (its head: next step, total, date and reason), or the quote's
    refusal in words."""
    number = (form.get("id_number") or "").strip().upper()
    if len(number) != 18:
        return None
    year = coverage_year_of(form.get("coverage_year")) or 0  # bounded before any use
    asked: dict[str, Any] = {"coverage_year": year}
    if form.get("paid_at"):
        asked["payment_date"] = form["paid_at"][:10]
    try:
        facts = QuoteFacts.of(checked(PersonQuoteIn, asked))
        result = await who.call(quote_person, number, facts)
    except YibaoError as exc:
        try:
            history = await who.call(get_history, number)
        except YibaoError:
            return None
        return {"history": history, "quote": None, "lead": None,
                "error": (exc.message, exc.message_en)}
    history = history_view(result.history)
    group = result.special_group
    person = form.get("person") or str(result.person.id)
    link = f"/clerk/persons/{person}" if person and not history.known else ""
    names = {g.code: (g.name, g.name_en) for g in reference.special_groups()}
    enrollment = result.enrollment
    return {"history": history, "quote": result.quote,
            "lead": lead_of(dict(quote_to_contract(result.quote))),
            "enrollment": enrollment,
            "owed": owed_words(enrollment) if enrollment and enrollment.balance_due else None,
            "error": None, "group": names.get(group, (group, group)) if group else None,
            "history_link": link}
