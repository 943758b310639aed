"""A resident's own status (yibao.services.registry.self_lookup) told in words for ``/lookup``.

    view = lookup_view(found)
    view.lead.text                            # the next step of the first unpaid year
    view.years[0].state, view.years[0].lines  # ('unpaid', [(zh, en), ...])

An unpaid year is told from the engine's answer for paying today (its ``next_step``,
``total_due``, ``benefit_start`` and ``benefit_start_reason``, contract §2.1), the same
answer ``/`` and ``/plan`` show for that day; a paid year from what the registry recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yibao.rules.answer_json import quote_to_contract
from yibao.rules.messages import WARNING
from yibao.rules.money import fen_to_yuan
from yibao.services.registry.self_lookup import SelfStatus, YearStatus
from yibao.web.answer_view import Lead, lead_of, reference_words
from yibao.web.continuity_view import ContinuityView, continuity_view
from yibao.web.plain import zh_punct
from yibao.web.refdata import region_name
from yibao.web.words import word

__all__ = ["LookupView", "YearView", "lookup_view"]

Pair = tuple[str, str]

_STATE: dict[str, Pair] = {
    "paid": ("已缴费", "Paid"),
    "pending": ("已缴费，待核定", "Paid, to be settled"),
    "unpaid": ("未缴费", "Not paid"),
    "closed": ("已不能缴费", "Can no longer be paid"),
    "not_open": ("尚未开始收缴", "Collection not open yet"),
}
ASSISTED: Pair = ("医疗救助全额资助参保", "Paid in full by medical assistance")


@dataclass
class YearView:
    year: int
    label: Pair
    state: str
    state_words: Pair
    lines: list[Pair] = field(default_factory=list)
    todo: list[Pair] = field(default_factory=list)
    step: Pair | None = None  # this year's next step, when it differs from the page's lead


@dataclass
class MemberView:
    """A household member: masked name, and per year paid or not (nothing else)."""

    name: str
    years: list[tuple[int, str, Pair]]  # year, "paid" | "unpaid", words


@dataclass
class LookupView:
    name: str
    id_number: str
    region: str
    region_label: str
    group: Pair | None
    years: list[YearView]
    household: list[MemberView]
    lead: Lead | None = None  # what to do now: the first unpaid year's next step
    continuity: ContinuityView | None = None  # 连续参保年限, the engine's count per year


def _yuan(fen: int | None) -> Pair:
    if fen is None:
        return ("金额暂未公布", "amount not published yet")
    return (f"¥{fen_to_yuan(fen)}", f"¥{fen_to_yuan(fen)}")


def _answer(y: YearStatus) -> dict[str, Any] | None:
    return dict(quote_to_contract(y.quote)) if y.state == "unpaid" and y.quote is not None else None


def _assisted(result: dict[str, Any] | None) -> bool:
    return result is not None and result["next_step"]["code"] == "nothing_to_pay"


def _paid_lines(y: YearStatus) -> list[Pair]:
    status = word("enrollment_status", y.enrollment_status)
    if y.amount_paid_fen == 0 and not y.amount_due_fen:
        lines = [ASSISTED]  # a fully assisted resident's 0.00 payment
    else:
        paid = _yuan(y.amount_paid_fen)
        lines = [(f"已缴 {paid[0]}（{status[0]}）", f"Paid {paid[1]} ({status[1]})")]
    if y.benefit_start:
        lines.append((f"待遇期间：{y.benefit_start.isoformat()} 至 {y.benefit_end}",
                      f"Covered from {y.benefit_start.isoformat()} to {y.benefit_end}"))
    else:
        lines.append(("这笔缴费在本年度不能带来待遇天数。",
                      "This payment gives no days of cover in this year."))
    if y.waiting_fixed + y.waiting_variable:
        lines.append((f"等待期 {y.waiting_fixed + y.waiting_variable} 个月（固定 {y.waiting_fixed}"
                      f" + 断保 {y.waiting_variable}）",
                      f"Waiting period {y.waiting_fixed + y.waiting_variable} months "
                      f"({y.waiting_fixed} fixed + {y.waiting_variable} for the lapse)"))
    return lines


def _unpaid_lines(result: dict[str, Any]) -> list[Pair]:
    """Paying today, from the answer: the amount (or who pays it), the start and its reason."""
    lines: list[Pair] = []
    if _assisted(result):
        lines.append(ASSISTED)
    else:
        amount = result["amount_due"]
        due = (f"¥{amount}", f"¥{amount}") if amount is not None else _yuan(None)
        line = (f"今天缴费应缴：{due[0]}", f"Due if paid today: {due[1]}")
        ref = reference_words(result.get("reference_share")) if amount is None else None
        if ref:
            line = (f"{line[0]}（{ref[0]}）", f"{line[1]} ({ref[1]})")
        lines.append(line)
    start = result["benefit_start"]
    if start:
        lines.append((f"今天缴费，待遇从 {start} 起", f"Paid today, cover starts on {start}"))
    else:
        lines.append(("今天缴费，本年度内享受不到待遇。", "Paid today, it gives no cover this year."))
    reason = result.get("benefit_start_reason")
    if reason:
        lines.append((f"原因：{zh_punct(str(reason['text']))}", f"Why: {reason['text_en']}"))
    for zh, en in zip(result.get("missing_labels", []), result.get("missing_labels_en", []),
                      strict=False):
        lines.append((f"暂未公布：{zh}", f"Not published yet: {en}"))
    return lines


def _year_view(y: YearStatus, in_force: bool, lead: Lead | None) -> YearView:
    label = (f"{y.year}年度（当前年度）", f"{y.year} (year in force)") if in_force else (
        f"{y.year}年度（正在收缴）", f"{y.year} (being collected)")
    v = YearView(y.year, label, y.state, _STATE[y.state])
    result = _answer(y)
    if y.state == "paid":
        v.lines = _paid_lines(y)
        if y.enrollment_status == "underpaid" and y.amount_due_fen:
            v.todo.append((f"还差 ¥{fen_to_yuan(y.amount_due_fen)}，请补足。",
                           f"¥{fen_to_yuan(y.amount_due_fen)} is still due; please pay it."))
    elif y.state == "pending":
        v.lines.append(("已收到缴费；该年度的数额公布后，再核定待遇开始日。",
                        "Your payment arrived; the first day of cover is set once the year's "
                        "figures are published."))
    elif result is not None:
        v.lines = _unpaid_lines(result)
        step = (zh_punct(str(result["next_step"]["text"])), str(result["next_step"]["text_en"]))
        if lead is None or step != lead.text:
            v.step = step
    if y.history_unknown:
        w = WARNING["history_unknown"]
        v.todo.append((zh_punct(w.text), w.text_en))
    return v


_MEMBER: dict[bool, tuple[str, Pair]] = {True: ("paid", ("已缴费", "Paid")),
                                          False: ("unpaid", ("未缴费", "Not paid"))}


def lookup_view(found: SelfStatus) -> LookupView:
    """The page's view of a matched look-up."""
    first = next((r for y in found.years if (r := _answer(y)) is not None), None)
    lead = lead_of(first) if first is not None else None
    years = [_year_view(y, i == 0, lead) for i, y in enumerate(found.years)]
    members = [MemberView(m.name, [(year, *_MEMBER[paid]) for year, paid in m.paid])
               for m in found.household]
    return LookupView(found.name, found.id_number, found.region, region_name(found.region),
                      word("special_group", found.special_group) if found.special_group else None,
                      years, members, lead,
                      continuity_view(found.continuity, found.region) if found.continuity else None)
