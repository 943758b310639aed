"""Flexible-employment employee insurance (灵活就业人员职工医保): base × rate, exact to the
fen, and whether a flexible worker may pay it online on a day (Liaoning, C35).

    >>> monthly_contribution_fen(520300, 550)   # Dandong 2024: 5203 × 5.5% = 286.165 → 286.17
    28617
    >>> window = {"opens": "2024-07-01", "closes": "2025-06-30",
    ...           "near_retirement": {"female": 55, "male": 60}, "near_months": 12}
    >>> online_payment(date(2025, 3, 1), window, date(1970, 6, 1), "female").reason
    'near_retirement'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = ["OnlinePayment", "monthly_contribution_fen", "online_payment"]


def monthly_contribution_fen(base_fen: int, rate_bp: int) -> int:
    """Monthly contribution in fen: ``base_fen`` × ``rate_bp`` / 10000, rounded half up."""
    if base_fen < 0 or rate_bp < 0:
        raise ValueError("base and rate must not be negative")
    return (base_fen * rate_bp + 5_000) // 10_000


@dataclass(frozen=True, slots=True)
class OnlinePayment:
    """Whether a flexible worker may pay online on ``on`` (Liaoning, C35), and why not.

    ``reason``: ``open``, ``open_age_unchecked`` (in the window; no birth date and sex to
    check the age rule), ``before_window``, ``after_window``, ``near_retirement`` (the
    55th/60th birthday within ``near_months`` after ``on``), ``at_retirement_age``.
    """

    on: date
    may_pay_online: bool
    reason: str
    opens: date
    closes: date
    retirement_age: int | None = None
    birthday: date | None = None  # the birthday of that age


def _birthday(birth: date, years: int) -> date:
    """The day a person born on ``birth`` turns ``years`` (29 February → 28 February, C2)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return birth.replace(year=birth.year + years, day=28)


def _months_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def online_payment(on: date, window: Mapping[str, Any], birth: date | None = None,
                   sex: str | None = None) -> OnlinePayment:
    """The answer for a published ``flexible_online_window`` value: outside
    [opens, closes] no; inside, no for a worker who turns the retirement age of their sex
    within ``near_months`` after ``on`` (即将年满, C35) or has turned it; else yes."""
    opens, closes = date.fromisoformat(window["opens"]), date.fromisoformat(window["closes"])
    if on < opens:
        return OnlinePayment(on, False, "before_window", opens, closes)
    if on > closes:
        return OnlinePayment(on, False, "after_window", opens, closes)
    if birth is None or sex is None:
        return OnlinePayment(on, True, "open_age_unchecked", opens, closes)
    age = int(window["near_retirement"][sex])
    birthday = _birthday(birth, age)
    if birthday <= on:
        reason = "at_retirement_age"
    elif birthday <= _months_after(on, int(window["near_months"])):
        reason = "near_retirement"
    else:
        return OnlinePayment(on, True, "open", opens, closes, age, birthday)
    return OnlinePayment(on, False, reason, opens, closes, age, birthday)


_OFFICE = "医保大厅或各镇办党群服务中心医保窗口"
_OFFICE_EN = "a medical-insurance hall or the medical-insurance window of a town service centre"


def online_words(answer: OnlinePayment) -> tuple[str, str]:
    """The answer in words (zh, en), with the window and the birthday it was decided by."""
    span = f"{answer.opens.isoformat()}至{answer.closes.isoformat()}"
    span_en = f"{answer.opens.isoformat()} to {answer.closes.isoformat()}"
    day = answer.on.isoformat()
    if answer.reason == "before_window":
        return (f"{day}网上缴费尚未开放:灵活就业人员网上缴费时间为{span}。",
                f"Online payment is not open yet on {day}: it is open {span_en}.")
    if answer.reason == "after_window":
        return (f"{day}已过网上缴费时间({span}),需求文件未说明此后的网上缴费时间。",
                f"On {day} the online period ({span_en}) is over; no later one is published.")
    if answer.reason == "open_age_unchecked":
        return (f"{day}在网上缴费时间({span})内。即将年满55周岁(女性)或60周岁(男性)的,请勿在网上自主缴费,"
                f"需要到{_OFFICE}核定缴费。",
                f"{day} is within the online period ({span_en}). Workers about to turn 55 "
                f"(women) or 60 (men) must not pay online but have it assessed at {_OFFICE_EN}.")
    birthday = answer.birthday.isoformat() if answer.birthday else ""
    age = answer.retirement_age
    if answer.reason == "open":
        return (f"{day}在网上缴费时间({span})内,可以在网上自主缴费(年满{age}周岁之日为{birthday})。",
                f"{day} is within the online period ({span_en}): you may pay online (you turn "
                f"{age} on {birthday}).")
    if answer.reason == "near_retirement":
        return (f"您将于{birthday}年满{age}周岁,属于即将年满{age}周岁的灵活就业人员,请勿在网上自主缴费,"
                f"需要到{_OFFICE}核定缴费。",
                f"You turn {age} on {birthday}: workers about to reach that age must not pay "
                f"online but have it assessed at {_OFFICE_EN}.")
    return (f"您已于{birthday}年满{age}周岁,请勿在网上自主缴费,需要到{_OFFICE}核定缴费。",
            f"You turned {age} on {birthday}: do not pay online; have it assessed at "
            f"{_OFFICE_EN}.")
