"""Demo data: a few hundred residents of Guigang (2021, old regime) and Liuzhou (2025, new
regime) in every situation of the rules catalogue, with payments recorded through the
same service as the API. Each resident's cover before the registry is declared at
registration (continuous, lapsed, never covered) or left unknown, as a clerk would find
it. Loading twice changes nothing. The demo staff accounts — a clerk for each city
(limited to it), an auditor and an admin for the province — get random passwords, printed
once with their scopes, when they are created (nothing in the repository or the docs can
log in).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import secrets

from sqlalchemy import select

from yibao.demo.cases import CHANNELS_GG, CHANNELS_LZ, LIUZHOU, amount_for, cases, person_name
from yibao.errors import YibaoError
from yibao.idcard import Sex, make_id_number
from yibao.services import payments
from yibao.services.common import Actor, Role
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
from yibao.services.registry import applications, households, persons, preregistrations
from yibao.services.scope import scope_words
from yibao.services.shapes import BulkFailed
from yibao.services.staff.users import create_user, user_exists
from yibao.store.db import Database
from yibao.store.models import AuditEntry

__all__ = ["DEMO_USERS", "load_demo"]

#: (user name, role, region the account is limited to; None: province-wide)
DEMO_USERS: tuple[tuple[str, Role, str | None], ...] = (
    ("demo-clerk-guigang", "clerk", "450800"),
    ("demo-clerk-liuzhou", "clerk", "450200"),
    ("demo-auditor", "auditor", None),
    ("demo-admin", "admin", "450000"),
)
ACTOR = Actor("demo-loader", "admin")


def _record_all(db: Database, items: list[PaymentIn]) -> None:
    """The cases' payments in one batch of the ledger (the path of ``POST /payments/bulk``:
    each person's payments in their order, as one by one); any refusal stops the load."""
    done = payments.record_payments(db, ACTOR, items)
    failed = [r for r in done.results if r.status in ("conflict", "error")]
    if failed:
        first = failed[0]
        assert isinstance(first, BulkFailed)
        raise RuntimeError(f"demo data failed: {first.error.code}: {first.error.message_en}")


def _load_cases(db: Database, rng: random.Random) -> tuple[list[str], dict[str, int]]:
    numbers: list[str] = []
    counts: dict[str, int] = {}
    paid: list[PaymentIn] = []
    seq: dict[tuple[str, dt.date], int] = {}
    for i, case in enumerate(cases(rng)):
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
                    name=person_name(rng),
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
        amount = amount_for(case, facts)
        for k in range(2 if case.pay == "twice" else 1):  # the second from another channel
            day = case.paid + dt.timedelta(days=9 * k)
            paid.append(
                PaymentIn(
                    id_number=number,
                    coverage_year=case.year,
                    channel=channels[(i + k) % len(channels)],
                    channel_txn_id=f"DEMO-{case.year}-{i:05d}" + (f"-{k}" if k else ""),
                    amount=amount,
                    paid_at=f"{day}T{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}:00",
                    payer="本人",
                    **case.facts,
                )
            )
    _record_all(db, paid)
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
                newborn_name=f"{person_name(rng)}之子" if k % 2 else f"{person_name(rng)}之女",
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
                    pre_registration_id=reg.id,
                    coverage_year=birth.year,
                    channel="tax12366_wechat",
                    channel_txn_id=f"DEMO-PRE-{k}",
                    amount="400.00",
                    paid_at=(birth + dt.timedelta(days=10)).isoformat(),
                    payer="演示家长",
                ),
            )
    from yibao.services.registry.jobs import expire_preregistrations

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
        if k % 3 == 0 and app.status == "submitted":
            applications.decide(
                db, ACTOR, app.id, ApplicationDecisionIn(decision="approved", reason="材料齐全")
            )
        elif k % 4 == 1:
            applications.decide(
                db,
                ACTOR,
                app.id,
                ApplicationDecisionIn(decision="rejected", reason="不符合补缴条件(演示)"),
            )


def _loaded(db: Database) -> bool:
    with db.read() as s:
        return s.scalar(select(AuditEntry.id).where(AuditEntry.action == "demo_loaded")) is not None


def load_demo(db: Database) -> str:
    """Load everything once; returns the text to print (logins and what was loaded).

    Passwords are random and shown only by the call that creates the accounts.
    """
    passwords: dict[str, str] = {}
    for username, role, region in DEMO_USERS:
        if not user_exists(db, username):
            passwords[username] = secrets.token_urlsafe(12)
            create_user(db, username, role, passwords[username], region=region)
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
    for username, role, region in DEMO_USERS:
        shown = passwords.get(username, "(shown when first created; not stored anywhere)")
        zh, en = scope_words(region)
        lines.append(f"  {role:<8} {username:<19} password: {shown}")
        lines.append(f"  {'':<8} {'':<19} scope: {zh} / {en}")
    if passwords:
        lines.append("Note these passwords now: they are printed only this once.")
    lines.append("Clerks and admins see full ID numbers; auditors see them masked (birth dates "
                 "as the year). Each account sees and acts on the residents of its scope only; "
                 "a clerk's reversal that would cancel or shorten cover waits for an admin.")
    return "\n".join(lines)
