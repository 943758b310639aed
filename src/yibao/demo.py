"""Demo data: a few hundred residents of Guigang (2021, old regime) and Liuzhou (2025, new
regime) in every situation of the rules catalogue, with payments recorded through the
same service as the API. Each resident's cover before the registry is declared at
registration (continuous, lapsed, never covered) or left unknown, as a clerk would find
it. Loading twice changes nothing; the demo logins are printed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from yibao.errors import YibaoError
from yibao.idcard import Sex, make_id_number
from yibao.rules.money import fen_to_yuan
from yibao.services import applications, households, payments, persons, preregistrations
from yibao.services.common import Actor
from yibao.services.errors import Conflict
from yibao.services.inputs import (
    ApplicationDecisionIn,
    ApplicationIn,
    HouseholdIn,
    MembershipIn,
    PaymentIn,
    PersonIn,
    PreRegistrationIn,
)
from yibao.services.users import create_user, user_exists
from yibao.store.db import Database
from yibao.store.models import AuditEntry

__all__ = ["DEMO_USERS", "load_demo"]

DEMO_USERS = (
    ("demo-clerk", "clerk", "clerk-demo-2025"),
    ("demo-auditor", "auditor", "auditor-demo-2025"),
    ("demo-admin", "admin", "admin-demo-2025"),
)
ACTOR = Actor("demo-loader", "admin")
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


def _cases(rng: random.Random) -> Iterator[Case]:
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


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _amount(case: Case, facts: dict[str, Any]) -> str:
    from yibao.quoting import answer

    result = answer(facts)
    due = result.total_due_fen
    if due is None:  # a figure is unpublished: the channel collects the individual share
        due = (result.individual_fen or 0) + (result.back_pay_fen or 0)
    if case.pay == "under":
        due -= 8000
    elif case.pay == "over":
        due += 2000
    return fen_to_yuan(due)


def _load_cases(db: Database, rng: random.Random) -> tuple[list[str], dict[str, int]]:
    numbers: list[str] = []
    counts: dict[str, int] = {}
    seq: dict[tuple[str, dt.date], int] = {}
    for i, case in enumerate(_cases(rng)):
        sex: Sex = "male" if rng.random() < 0.5 else "female"
        n = seq.get((case.region, case.birth), rng.randint(0, 400))
        seq[(case.region, case.birth)] = n + 1
        number = make_id_number(case.region, case.birth, n % 500, sex)
        groups = []
        if case.group:
            groups = [
                MembershipIn(
                    group=case.group,
                    valid_from=dt.date(2020, 1, 1),
                    source="民政部门名单(演示数据)",
                )
            ]
        with contextlib.suppress(Conflict):
            persons.register_person(
                db,
                ACTOR,
                PersonIn(
                    id_number=number,
                    name=_name(rng),
                    region=case.region,
                    eligibility_category="student" if case.birth.year > 2003 else "resident_hukou",
                    special_groups=groups,
                    covered_years=case.history,
                ),
            )
        numbers.append(number)
        counts[case.situation] = counts.get(case.situation, 0) + 1
        if case.paid is None:
            continue
        facts = {
            "region": case.region,
            "coverage_year": case.year,
            "payment_date": case.paid.isoformat(),
            "id_number": number,
            **case.facts,
        }
        if case.history is not None:
            facts["covered_years"] = case.history
        if case.group:
            facts["special_group"] = case.group
        channels = CHANNELS_GG if case.region.startswith("4508") else CHANNELS_LZ
        amount = _amount(case, facts)
        for k in range(2 if case.pay == "twice" else 1):  # the second from another channel
            paid = case.paid + dt.timedelta(days=9 * k)
            payments.record_payment(
                db,
                ACTOR,
                PaymentIn(
                    id_number=number,
                    coverage_year=case.year,
                    channel=channels[(i + k) % len(channels)],
                    channel_txn_id=f"DEMO-{case.year}-{i:05d}" + (f"-{k}" if k else ""),
                    amount=amount,
                    paid_at=f"{paid}T{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}:00",
                    payer="本人",
                    **case.facts,
                ),
            )
    return numbers, counts


def _load_extras(db: Database, rng: random.Random, numbers: list[str]) -> None:
    shuffled = numbers[:]
    rng.shuffle(shuffled)
    while len(shuffled) >= 4:
        size = rng.randint(1, 4)
        members, shuffled = shuffled[:size], shuffled[size:]
        households.create_household(
            db,
            ACTOR,
            HouseholdIn(
                region=members[0][:6],
                address=f"演示地址 {rng.randint(1, 300)} 号",
                head_id_number=members[0],
                member_id_numbers=members,
            ),
        )
    today = dt.date.today()
    parent = numbers[0]
    births = [
        (today - dt.timedelta(days=20), "registered"),
        (today - dt.timedelta(days=50), "paid"),
        (today - dt.timedelta(days=120), "lapse"),
    ]
    for k, (birth, fate) in enumerate(births * 2):
        made = today if fate != "lapse" else birth + dt.timedelta(days=5)
        reg = preregistrations.create_preregistration(
            db,
            ACTOR,
            PreRegistrationIn(
                newborn_name=f"{_name(rng)}之子" if k % 2 else f"{_name(rng)}之女",
                birth_date=birth,
                sex="male" if k % 2 else "female",
                region=LIUZHOU[k % 3],
                birth_hospital="柳州市妇幼保健院",
                parent_id_number=parent,
                parent_name="演示家长",
            ),
            today=made,
        )
        if fate == "paid":
            payments.record_payment(
                db,
                ACTOR,
                PaymentIn(
                    pre_registration_id=reg["id"],
                    coverage_year=birth.year,
                    channel="tax12366_wechat",
                    channel_txn_id=f"DEMO-PRE-{k}",
                    amount="400.00",
                    paid_at=(birth + dt.timedelta(days=10)).isoformat(),
                    payer="演示家长",
                ),
            )
    from yibao.services.jobs import expire_preregistrations

    expire_preregistrations(db, ACTOR, today=today)
    types = (
        "flexible_employment_unpaid",
        "employer_not_enrolled",
        "veteran",
        "business_owner_unpaid",
    )
    for k, number in enumerate(numbers[-12:]):
        app = applications.create_application(
            db,
            ACTOR,
            ApplicationIn(
                id_number=number,
                type=types[k % 4],
                submitted_via="window" if k % 2 else "online",
                years=[2023] if k % 3 else [2022, 2023],
                materials={"back_payment_form": True, "personal_application_form": k % 5 != 0},
            ),
        )
        if k % 3 == 0 and app["status"] == "submitted":
            applications.decide(
                db, ACTOR, app["id"], ApplicationDecisionIn(decision="approved", reason="材料齐全")
            )
        elif k % 4 == 1:
            applications.decide(
                db,
                ACTOR,
                app["id"],
                ApplicationDecisionIn(decision="rejected", reason="不符合补缴条件(演示)"),
            )


def _loaded(db: Database) -> bool:
    with db.read() as s:
        return s.scalar(select(AuditEntry.id).where(AuditEntry.action == "demo_loaded")) is not None


def load_demo(db: Database) -> str:
    """Load everything once; returns the text to print (logins and what was loaded)."""
    for username, role, password in DEMO_USERS:
        if not user_exists(db, username):
            create_user(db, username, role, password)
    summary = "demo data already loaded"
    if not _loaded(db):
        rng = random.Random(20210101)
        try:
            numbers, counts = _load_cases(db, rng)
            _load_extras(db, rng, numbers)
        except YibaoError as exc:
            raise RuntimeError(f"demo data failed: {exc.code}: {exc.message_en}") from exc
        with db.write() as s:
            s.add(
                AuditEntry(
                    actor=ACTOR.username,
                    action="demo_loaded",
                    entity="demo",
                    after={"persons": len(numbers), "situations": counts},
                )
            )
        summary = f"demo data loaded: {len(numbers)} residents in {len(counts)} situations"
    lines = [summary, "Demo logins (POST /api/v1/auth/token, or the clerk pages):"]
    lines += [f"  {role:<8} {username:<13} password: {pw}" for username, role, pw in DEMO_USERS]
    lines.append("Clerks and admins see full ID numbers; auditors see them masked.")
    return "\n".join(lines)
