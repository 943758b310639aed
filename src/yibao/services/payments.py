"""Exactly-once payments keyed by (channel, channel_txn_id), checked against the engine's quote.

Recording a payment and creating or updating the enrollment happen in one transaction.
A replay with the same body returns the first result (``created`` False); the same key
with another body is a conflict. Concurrent duplicates serialise on the person's row
and, as a last resort, on the unique key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yibao import reference
from yibao.errors import InputError
from yibao.services.common import Actor, audit, fen_to_yuan, parse_paid_at, yuan_to_fen
from yibao.services.enrollments import apply_quote, audit_enrollment, quote_facts
from yibao.services.errors import Conflict, NotFound
from yibao.services.inputs import PaymentIn
from yibao.services.persons import find_person, normalize_id
from yibao.services.views import enrollment_view, payment_view
from yibao.store.db import Database
from yibao.store.models import Payment, Person, PreRegistration

__all__ = ["CHANNEL_CODES", "record_payment"]

#: The contract's channel codes (contract.md section 4).
CHANNEL_CODES = (
    "tax12366_wechat",
    "wechat_city_service",
    "alipay_citizen_center",
    "zhiguitong",
    "gx_yibao",
    "lz_yibao_wechat",
    "unionpay_quickpass",
    "bank_counter",
    "rural_credit_point",
    "mobile_pos",
    "tax_hall",
)


def _normalize(data: PaymentIn) -> dict[str, Any]:
    if (data.id_number is None) == (data.pre_registration_id is None):
        raise InputError(
            "person_reference",
            "须提供 id_number 或 pre_registration_id 之一",
            "give exactly one of id_number and pre_registration_id",
            field="id_number",
        )
    if data.channel not in CHANNEL_CODES:
        reference.channel(data.channel)  # raises unknown_channel
    norm = data.model_dump(mode="json", exclude_none=True)
    if data.id_number is not None:
        norm["id_number"] = normalize_id(data.id_number)
    norm["amount"] = yuan_to_fen(data.amount)
    norm["paid_at"] = parse_paid_at(data.paid_at).isoformat()
    return norm


def _hash(norm: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(norm, sort_keys=True).encode()).hexdigest()


def _existing(session: Session, channel: str, txn: str) -> Payment | None:
    return session.scalar(
        select(Payment).where(Payment.channel == channel, Payment.channel_txn_id == txn)
    )


def _replay(payment: Payment, request_hash: str) -> dict[str, Any]:
    if payment.request_hash != request_hash:
        raise Conflict(
            "payment_conflict",
            "该渠道交易号已用于另一笔不同的缴费",
            "this channel transaction ID was already recorded with a different body",
            field="channel_txn_id",
        )
    return dict(payment.response)


def _person(session: Session, data: PaymentIn) -> Person:
    if data.id_number is not None:
        return find_person(session, data.id_number, lock=True)
    reg = session.get(PreRegistration, data.pre_registration_id)
    if reg is None:
        raise NotFound(
            "preregistration_not_found",
            "未找到该新生儿预参保登记",
            "no such newborn pre-registration",
            field="pre_registration_id",
        )
    if reg.status == "lapsed":
        raise Conflict(
            "preregistration_lapsed",
            "预参保登记已作废,请到医保经办机构重新办理参保登记",
            "the pre-registration has lapsed; register the newborn at a medical-insurance office",
            field="pre_registration_id",
        )
    person = session.get(Person, reg.person_id, with_for_update=True)
    assert person is not None
    if reg.status == "registered":
        reg.status = "paid"
    return person


def _settle(expected: int | None, amount: int) -> tuple[str, int | None]:
    if expected is None:
        return "unquoted", None
    diff = amount - expected
    return ("exact" if diff == 0 else "over" if diff > 0 else "under"), diff


def record_payment(db: Database, actor: Actor, data: PaymentIn) -> tuple[dict[str, Any], bool]:
    """Record a payment once; returns (result, created). Replays return the first result."""
    norm = _normalize(data)
    digest = _hash(norm)
    with db.read() as s:
        found = _existing(s, data.channel, data.channel_txn_id)
        if found is not None:
            return _replay(found, digest), False
    try:
        with db.write() as s:
            person = _person(s, data)
            found = _existing(s, data.channel, data.channel_txn_id)
            if found is not None:
                return _replay(found, digest), False
            paid_at = dt.datetime.fromisoformat(norm["paid_at"])
            facts = quote_facts(s, person, data, paid_at.date())
            paid_before = _paid_before(s, person.id, data.coverage_year)
            enrollment, due, result = apply_quote(s, person, data.coverage_year, facts)
            expected = None if due is None else max(due - paid_before, 0)
            settlement, diff = _settle(expected, norm["amount"])
            enrollment.amount_paid_fen += norm["amount"]
            _set_status(enrollment)
            audit_enrollment(s, actor, enrollment, "payment")
            payment = Payment(
                channel=data.channel,
                channel_txn_id=data.channel_txn_id,
                person_id=person.id,
                enrollment_id=enrollment.id,
                coverage_year=data.coverage_year,
                amount_fen=norm["amount"],
                expected_fen=expected,
                difference_fen=diff,
                settlement=settlement,
                paid_at=paid_at,
                payer=data.payer,
                receipt_number=f"YB{paid_at:%Y%m%d}{secrets.token_hex(6).upper()}",
                request_hash=digest,
                response={},
                recorded_by=actor.username,
            )
            s.add(payment)
            s.flush()
            response = {
                "payment": payment_view(actor, payment, person.id_number),
                "enrollment": enrollment_view(actor, enrollment, person.id_number),
                "quote": result,
            }
            payment.response = response
            audit(
                s,
                actor,
                "create",
                "payment",
                payment.id,
                after={
                    "person_id": person.id,
                    "channel": payment.channel,
                    "channel_txn_id": payment.channel_txn_id,
                    "amount": fen_to_yuan(payment.amount_fen),
                    "expected": fen_to_yuan(expected),
                    "settlement": settlement,
                    "enrollment_id": enrollment.id,
                    "enrollment_status": enrollment.status,
                },
            )
            return response, True
    except IntegrityError:
        with db.read() as s:
            found = _existing(s, data.channel, data.channel_txn_id)
            if found is None:
                raise
            return _replay(found, digest), False


def _paid_before(session: Session, person_id: int, year: int) -> int:
    from yibao.store.models import Enrollment

    paid = session.scalar(
        select(Enrollment.amount_paid_fen).where(
            Enrollment.person_id == person_id, Enrollment.coverage_year == year
        )
    )
    return paid or 0


def _set_status(enrollment: Any) -> None:
    due = enrollment.amount_due_fen
    paid = enrollment.amount_paid_fen
    if due is None:
        enrollment.status = "unquoted"
    elif paid == due:
        enrollment.status = "paid"
    elif paid > due:
        enrollment.status = "overpaid"
    else:
        enrollment.status = "underpaid"
