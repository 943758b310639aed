"""A resident's own status (yibao.services.registry.self_lookup) told in words for ``/lookup``.

    view = lookup_view(found, today)
    view.years[0].state, view.years[0].lines     # ('paid', [(zh, en), ...])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from yibao.rules.messages import WARNING
from yibao.rules.money import fen_to_yuan
from yibao.services.registry.self_lookup import SelfStatus, YearStatus
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


@dataclass
class YearView:
    year: int
    label: Pair
    state: str
    state_words: Pair
    lines: list[Pair] = field(default_factory=list)
    todo: list[Pair] = field(default_factory=list)


@dataclass
class MemberView:
    name: str
    id_number: str
    years: list[tuple[int, str, Pair, Pair]]  # year, state, state words, amount words


@dataclass
class LookupView:
    name: str
    id_number: str
    region: str
    region_label: str
    group: Pair | None
    years: list[YearView]
    household: list[MemberView]


def _yuan(fen: int | None) -> Pair:
    if fen is None:
        return ("金额暂未公布", "amount not published yet")
    return (f"¥{fen_to_yuan(fen)}", f"¥{fen_to_yuan(fen)}")


def _year_view(y: YearStatus, today: date, in_force: bool) -> YearView:
    label = (f"{y.year}年度（当前年度）", f"{y.year} (year in force)") if in_force else (
        f"{y.year}年度（正在收缴）", f"{y.year} (being collected)")
    v = YearView(y.year, label, y.state, _STATE[y.state])
    if y.state == "paid":
        v.lines.append((f"已缴 {_yuan(y.amount_paid_fen)[0]}（{word('enrollment_status', y.enrollment_status)[0]}）",
                        f"Paid {_yuan(y.amount_paid_fen)[1]} "
                        f"({word('enrollment_status', y.enrollment_status)[1]})"))
        if y.benefit_start:
            v.lines.append((f"待遇期间：{y.benefit_start.isoformat()} 至 {y.benefit_end}",
                            f"Covered from {y.benefit_start.isoformat()} to {y.benefit_end}"))
        else:
            v.lines.append(("这笔缴费在本年度不能带来待遇天数。",
                            "This payment gives no days of cover in this year."))
        if y.waiting_fixed + y.waiting_variable:
            v.lines.append((f"等待期 {y.waiting_fixed + y.waiting_variable} 个月",
                            f"Waiting period {y.waiting_fixed + y.waiting_variable} months"))
        if y.enrollment_status == "underpaid" and y.amount_due_fen:
            v.todo.append((f"还差 ¥{fen_to_yuan(y.amount_due_fen)}，请补足。",
                           f"¥{fen_to_yuan(y.amount_due_fen)} is still due; please pay it."))
    elif y.state == "pending":
        v.lines.append(("已收到缴费；该年度的数额公布后，再核定待遇开始日。",
                        "Your payment arrived; the first day of cover is set once the year's "
                        "figures are published."))
    elif y.state == "unpaid":
        amount = _yuan(y.amount_due_fen)
        v.lines.append((f"今天缴费应缴：{amount[0]}", f"Due if paid today: {amount[1]}"))
        if y.benefit_start:
            v.lines.append((f"今天缴费，待遇从 {y.benefit_start.isoformat()} 起",
                            f"Paid today, cover starts on {y.benefit_start.isoformat()}"))
        else:
            v.lines.append(("今天缴费，本年度内享受不到待遇。",
                            "Paid today, it gives no cover this year."))
        if y.waiting_fixed + y.waiting_variable:
            v.lines.append((f"等待期 {y.waiting_fixed + y.waiting_variable} 个月（固定 {y.waiting_fixed}"
                            f" + 断保 {y.waiting_variable}）",
                            f"Waiting period {y.waiting_fixed + y.waiting_variable} months "
                            f"({y.waiting_fixed} fixed + {y.waiting_variable} for the lapse)"))
        for zh, en in y.missing:
            v.lines.append((f"暂未公布：{zh}", f"Not published yet: {en}"))
        v.todo.append(("通过手机渠道或线下网点缴费（见“去哪缴”）。",
                       "Pay through a phone channel or in person (see “Where to pay”)."))
    if y.history_unknown:
        w = WARNING["history_unknown"]
        v.todo.append((w.text.replace(",", "，").replace(";", "；"), w.text_en))
    return v


def lookup_view(found: SelfStatus, today: date) -> LookupView:
    """The page's view of a matched look-up."""
    years = [_year_view(y, today, i == 0) for i, y in enumerate(found.years)]
    members = []
    for m in found.household:
        rows = []
        for y in m.years:
            amount = _yuan(y.amount_due_fen) if y.state == "unpaid" else ("", "")
            rows.append((y.year, y.state, _STATE[y.state], amount))
        members.append(MemberView(m.name, m.id_number, rows))
    return LookupView(found.name, found.id_number, found.region, region_name(found.region),
                      word("special_group", found.special_group) if found.special_group else None,
                      years, members)
