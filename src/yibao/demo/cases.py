"""The demo residents: one group per situation of the rules catalogue, with the cover a
clerk would find before the registry (continuous, lapsed, never covered or unknown)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from yibao.rules.money import fen_to_yuan

__all__ = ["CHANNELS_GG", "CHANNELS_LZ", "GUIGANG", "LIUZHOU", "Case", "amount_for", "cases",
           "person_name"]

GUIGANG = ("450802", "450803", "450804", "450821", "450881")
LIUZHOU = ("450202", "450203", "450204", "450205", "450206", "450222")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗韦覃蒙莫梁"
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "桂花",
    "建华",
    "志强",
    "海燕",
    "小红",
    "春梅",
    "国庆",
    "家豪",
    "子涵",
)
CHANNELS_GG = (
    "tax12366_wechat",
    "wechat_city_service",
    "alipay_citizen_center",
    "bank_counter",
    "rural_credit_point",
    "mobile_pos",
    "tax_hall",
)
CHANNELS_LZ = (
    "gx_yibao",
    "lz_yibao_wechat",
    "tax12366_wechat",
    "wechat_city_service",
    "alipay_citizen_center",
    "unionpay_quickpass",
    "zhiguitong",
    "bank_counter",
)


@dataclass
class Case:
    """One demo resident and the payment that puts them in a rules situation."""

    situation: str
    region: str
    birth: dt.date
    year: int
    paid: dt.date | None
    facts: dict[str, Any] = field(default_factory=dict)
    group: str | None = None
    pay: str = "due"  # due | under | over | twice
    history: list[int] | None = None  # declared at registration; None = unknown


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


D = dt.date
# situation, regions, count, coverage year, paid from, paid to, facts, special group, pay
TABLE: tuple[tuple[str, tuple[str, ...], int, int, D | None, D | None, dict[str, Any],
                   str | None, str], ...] = (
    # Guigang 2021, old regime (seed 000)
    ("ontime", GUIGANG, 60, 2021, D(2020, 9, 1), D(2020, 12, 31), {}, None, "due"),
    ("hardship_deferral", GUIGANG, 8, 2021, D(2021, 1, 2), D(2021, 2, 28),
     {"hardship_deferral": True}, None, "due"),
    ("late", GUIGANG, 15, 2021, D(2021, 3, 1), D(2021, 6, 30), {}, None, "due"),
    ("late_after_july", GUIGANG, 8, 2021, D(2021, 7, 1), D(2021, 11, 30), {}, None, "due"),
    ("gap", GUIGANG, 15, 2021, D(2021, 1, 5), D(2021, 6, 30),
     {"covered_years": [2017, 2018]}, None, "due"),
    ("gap_paid_in_period", GUIGANG, 8, 2021, D(2020, 9, 1), D(2020, 12, 31),
     {"covered_years": [2018]}, None, "due"),
    *((f"special_{g}", GUIGANG, 3, 2021, D(2020, 9, 1), D(2020, 12, 31), {}, g, "due")
      for g in ("tekun", "orphan", "fact_orphan", "dibao", "disabled_severe")),
    ("underpaid", GUIGANG, 4, 2021, D(2020, 11, 20), D(2020, 11, 20), {}, None, "under"),
    ("overpaid", GUIGANG, 4, 2021, D(2020, 11, 21), D(2020, 11, 21), {}, None, "over"),
    ("paid_twice", GUIGANG, 3, 2021, D(2020, 10, 1), D(2020, 12, 31), {}, None, "twice"),
    ("history_unknown", GUIGANG, 10, 2021, D(2020, 9, 1), D(2020, 12, 31),
     {"covered_years": None}, None, "due"),
    ("first_enrolment", GUIGANG, 5, 2021, D(2021, 1, 5), D(2021, 6, 30),
     {"covered_years": []}, None, "due"),
    ("registered_unpaid", GUIGANG, 10, 2021, None, None, {}, None, "due"),
    # Liuzhou 2025, new regime (seed 001)
    ("ontime", LIUZHOU, 60, 2025, D(2024, 9, 1), D(2024, 12, 31), {}, None, "due"),
    ("late_fixed_wait", LIUZHOU, 12, 2025, D(2025, 1, 2), D(2025, 6, 30), {}, None, "due"),
    ("late_after_july", LIUZHOU, 6, 2025, D(2025, 7, 1), D(2025, 10, 31), {}, None, "due"),
    ("lapse_2y_variable_wait", LIUZHOU, 12, 2025, D(2024, 9, 1), D(2024, 12, 31),
     {"covered_years": [2020, 2021, 2022]}, None, "due"),
    ("lapse_4y_min_6", LIUZHOU, 6, 2025, D(2024, 12, 3), D(2024, 12, 3),
     {"covered_years": [2019, 2020]}, None, "due"),
    ("repair_by_backpay", LIUZHOU, 8, 2025, D(2024, 9, 1), D(2024, 12, 31),
     {"covered_years": [2020, 2021, 2022], "back_pay_years": [2023]}, None, "due"),
    ("full_repair", LIUZHOU, 5, 2025, D(2024, 12, 3), D(2024, 12, 3),
     {"covered_years": [2020, 2021, 2022], "back_pay_years": [2023, 2024]}, None, "due"),
    *((f"special_{g}", LIUZHOU, 3, 2025, D(2025, 1, 2), D(2025, 5, 31),
       {"covered_years": [2021]}, g, "due")
      for g in ("tekun", "orphan", "dibao", "jisheng_special", "fanpin_monitor")),
    ("hardship_flag_ignored", LIUZHOU, 3, 2025, D(2025, 2, 10), D(2025, 2, 10),
     {"hardship_deferral": True}, None, "due"),
    ("underpaid", LIUZHOU, 4, 2025, D(2024, 10, 8), D(2024, 10, 8), {}, None, "under"),
    ("overpaid", LIUZHOU, 4, 2025, D(2024, 10, 9), D(2024, 10, 9), {}, None, "over"),
    ("paid_twice", LIUZHOU, 3, 2025, D(2024, 9, 1), D(2024, 12, 31),
     {"covered_years": [2020, 2021, 2022]}, None, "twice"),
    ("history_unknown", LIUZHOU, 10, 2025, D(2024, 9, 1), D(2024, 12, 31),
     {"covered_years": None}, None, "due"),
    ("registered_unpaid", LIUZHOU, 10, 2025, None, None, {}, None, "due"),
)


def _adult(rng: random.Random) -> dt.date:
    return _day(rng, D(1950, 1, 1), D(2004, 12, 31))


def _special_cases(rng: random.Random) -> Iterator[Case]:
    """Newborns (in and after the window, across the year end) and transfers."""
    gg, lz = GUIGANG, LIUZHOU
    for _ in range(10):
        birth = _day(rng, D(2021, 1, 1), D(2021, 8, 31))
        paid = birth + dt.timedelta(days=rng.randint(5, 80))
        yield Case("newborn_in_window", rng.choice(gg), birth, 2021, paid)
    for _ in range(5):
        birth = _day(rng, D(2021, 1, 1), D(2021, 5, 31))
        paid = birth + dt.timedelta(days=rng.randint(100, 150))
        yield Case("newborn_after_window", rng.choice(gg), birth, 2021, paid)
    for _ in range(5):
        birth = _day(rng, D(2020, 11, 1), D(2020, 12, 20))
        paid = _day(rng, D(2021, 1, 4), birth + dt.timedelta(days=85))
        yield Case("newborn_cross_year_backpay", rng.choice(gg), birth, 2021, paid,
                   {"back_pay_years": [2020]})
    for _ in range(10):
        birth = _day(rng, D(2025, 1, 1), D(2025, 9, 30))
        paid = birth + dt.timedelta(days=rng.randint(3, 70))
        yield Case("newborn_exempt", rng.choice(lz), birth, 2025, paid)
    for region, year, start, end, count in ((gg, 2021, D(2021, 2, 1), D(2021, 8, 31), 10),
                                            (lz, 2025, D(2025, 1, 15), D(2025, 8, 31), 8)):
        for _ in range(count):
            ended = _day(rng, start, end)
            paid = ended + dt.timedelta(days=rng.randint(1, 60))
            yield Case("transfer", rng.choice(region), _adult(rng), year, paid,
                       {"employee_insurance_end_date": ended.isoformat()})


def cases(rng: random.Random) -> Iterator[Case]:
    """Every demo resident; the history is what the clerk declares at registration."""
    for situation, regions, count, year, start, end, facts, group, pay in TABLE:
        for _ in range(count):
            paid = None if start is None or end is None else _day(rng, start, end)
            rest = {k: v for k, v in facts.items() if k != "covered_years"}
            history = facts.get("covered_years", [year - 3, year - 2, year - 1])
            yield Case(situation, rng.choice(regions), _adult(rng), year, paid, rest,
                       group, pay, history)
    for case in _special_cases(rng):  # newborns need no history; transfers were covered
        if case.situation == "transfer":
            case.history = [case.year - 2, case.year - 1]
        yield case


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def amount_for(case: Case, facts: dict[str, Any]) -> str:
    from yibao.quoting.answers import answer

    result = answer(facts)
    due = result.total_due_fen
    if due is None:  # a figure is unpublished: the channel collects the individual share
        due = (result.individual_fen or 0) + (result.back_pay_fen or 0)
    if case.pay == "under":
        due -= 8000
    elif case.pay == "over":
        due += 2000
    return fen_to_yuan(due)
