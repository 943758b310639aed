"""Lifecycle jobs: lapse unpaid newborn pre-registrations; open next year's enrollments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from yibao.errors import InputError
from yibao.services.common import Actor, audit
from yibao.services.registry.enrollments import special_group_on
from yibao.services.registry.history import COVERED_STATUSES, load_histories
from yibao.services.registry.preregistrations import expire_unpaid
from yibao.services.registry.quotes import PersonFacts, QuoteFacts, mark_unknown, person_request
from yibao.services.registry.status_facts import load_status_changes
from yibao.services.scope import scoped
from yibao.store.db import Database
from yibao.store.models import Enrollment, Person

__all__ = ["expire_preregistrations", "open_year"]


def expire_preregistrations(db: Database, actor: Actor, *, today: dt.date) -> list[int]:
    """Lapse unpaid pre-registrations whose 3-month window closed before ``today``."""
    return expire_unpaid(db, actor, today=today)


def open_year(
    db: Database, actor: Actor, year: int, *, today: dt.date, force: bool = False
) -> dict[str, Any]:
    """Create ``open`` enrollments for ``year`` for everyone covered in ``year - 1``.

    Runs in the concentrated period of ``year`` as the policy data gives it (each person's
    region's; the whole run needs ``today`` inside some region's) unless ``force``.  Each
    open enrollment carries the amount due if paid on ``today``.
    """
    from yibao.quoting.answers import answer, concentrated_period, concentrated_window

    window = concentrated_window(year)
    if not force and (window is None or not window[0] <= today <= window[1]):
        said = f"{window[0]} 至 {window[1]}" if window else "尚未公布"
        said_en = f"{window[0]} to {window[1]}" if window else "not published"
        raise InputError(
            "outside_concentrated_period",
            f"{year}年度集中参保缴费期为 {said}",
            f"the concentrated period for {year} is {said_en}; use --force to run anyway",
            field="today",
        )
    opened: list[int] = []
    skipped: list[dict[str, Any]] = []
    with db.write() as s:
        has_next = select(Enrollment.person_id).where(Enrollment.coverage_year == year)
        rows = (
            s.execute(
                scoped(select(Person), actor)  # an account opens its own region's only
                .join(Enrollment, Enrollment.person_id == Person.id)
                .where(
                    Enrollment.coverage_year == year - 1,
                    Enrollment.status.in_(COVERED_STATUSES),
                    Person.id.not_in(has_next),
                )
                .order_by(Person.id)
            )
            .scalars()
            .all()
        )
        histories = load_histories(s.connection(), [p.id for p in rows])
        changes = load_status_changes(s.connection(), [p.id for p in rows])
        for person in rows:
            period = concentrated_period(person.region, year)
            if not force and (period is None or not period[0] <= today <= period[1]):
                skipped.append({"person_id": person.id, "code": "outside_concentrated_period"})
                continue
            group = special_group_on(s, person.id, today)
            who = PersonFacts(person.id, person.id_number, person.region, person.birth_date,
                              changes.get(person.id, ()))
            request, unknown = person_request(
                who, QuoteFacts(year, today), group, histories[person.id]
            )
            try:
                result = answer(request)
            except InputError as exc:
                skipped.append({"person_id": person.id, "code": exc.code})
                continue
            if unknown:
                result = mark_unknown(result)
            row = Enrollment(
                person_id=person.id,
                coverage_year=year,
                status="open",
                region=person.region,
                amount_due_fen=result.total_due_fen,
                amount_paid_fen=0,
                rule_ids=[],
                rules=[],
                warnings=[],
                warning_codes=list(result.warning_codes),
                policy_version=result.policy_version or None,
            )
            s.add(row)
            s.flush()
            opened.append(row.id)
        audit(
            s,
            actor,
            "open_year",
            "enrollment",
            None,
            after={
                "coverage_year": year,
                "opened": len(opened),
                "skipped": skipped,
                "enrollment_ids": opened,
            },
        )
    return {"coverage_year": year, "opened": len(opened), "skipped": skipped}
