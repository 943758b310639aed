"""Stored rows as their shapes (:mod:`yibao.services.shapes`), with ID numbers shown as
the actor may see them."""

from __future__ import annotations

from functools import cache
from typing import Any

from yibao.services.common import Actor, show_birth, show_id
from yibao.services.shapes import (
    Application,
    AuditEntry,
    Correction,
    CoverSnapshot,
    Enrollment,
    Household,
    HouseholdMember,
    Membership,
    Payment,
    Person,
    PersonDetail,
    PreRegistration,
    Reversal,
    RuleRef,
    StartReason,
    Waiting,
)
from yibao.store import models as rows

__all__ = [
    "application_view",
    "audit_view",
    "correction_view",
    "enrollment_view",
    "household_view",
    "membership_view",
    "payment_view",
    "person_detail",
    "person_view",
    "preregistration_view",
    "reversal_view",
    "rules_for",
]


@cache
def _catalogue() -> dict[str, dict[str, Any]]:
    from yibao.quoting.answers import rules_catalogue

    return {str(r["id"]): dict(r) for r in rules_catalogue()}


def rules_for(rule_ids: list[Any]) -> list[RuleRef]:
    """The rules of stored rule IDs (an unknown ID keeps the ID only)."""
    out: list[RuleRef] = []
    for rid in rule_ids:
        rule = _catalogue().get(str(rid), {})
        out.append(RuleRef(id=rid, source=rule.get("source"), text=rule.get("text")))
    return out


def membership_view(m: rows.SpecialGroupMembership) -> Membership:
    """A special-group membership."""
    return Membership(id=m.id, group=m.group_code, valid_from=m.valid_from,
                      valid_to=m.valid_to, source=m.source)


def _person_fields(actor: Actor, p: rows.Person) -> dict[str, Any]:
    return {
        "id": p.id,
        "id_number": show_id(actor, p.id_number),
        "id_number_masked": not actor.sees_full_ids and p.id_number is not None,
        "document_type": p.document_type,
        "name": p.name,
        "birth_date": show_birth(actor, p.birth_date),
        "birth_year": p.birth_date.year if p.birth_date else None,
        "sex": p.sex,
        "region": p.region,
        "hukou_region": p.hukou_region,
        "residence_permit": p.residence_permit,
        "eligibility_category": p.eligibility_category,
        "household_id": p.household_id,
        "history_known": p.history_recorded_at is not None,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def person_view(actor: Actor, p: rows.Person) -> Person:
    """A person; ``id_number`` masked for auditors."""
    return Person(**_person_fields(actor, p))


def person_detail(actor: Actor, p: rows.Person) -> PersonDetail:
    """A person with special-group memberships."""
    return PersonDetail(**_person_fields(actor, p),
                        special_groups=[membership_view(m) for m in p.memberships])


def enrollment_view(actor: Actor, e: Any, id_number: str | None) -> Enrollment:
    """An enrollment (row or column values as attributes) with its benefit dates, waiting
    months, deciding rules and warnings; ``history_unknown`` when its lapse could not be
    read from the registry."""
    return Enrollment(
        id=e.id,
        id_number=show_id(actor, id_number),
        coverage_year=e.coverage_year,
        status=e.status,
        region=e.region,
        amount_due=e.amount_due_fen,
        amount_paid=e.amount_paid_fen,
        benefit_start=e.benefit_start,
        benefit_end=e.benefit_end,
        waiting_months=Waiting(fixed=e.waiting_fixed, variable=e.waiting_variable),
        rules=[RuleRef.model_validate(r) for r in e.rules] or rules_for(list(e.rule_ids)),
        warnings=list(e.warnings),
        warning_codes=list(e.warning_codes or ()),
        history_unknown=e.history_basis == "unknown",
        policy_version=e.policy_version,
        updated_at=e.updated_at,
        balance_due=getattr(e, "balance_due_fen", 0) or 0,
        benefit_start_reason=StartReason.model_validate(e.start_reason)
        if getattr(e, "start_reason", None) else None,
    )


def payment_view(actor: Actor, p: Any, id_number: str | None) -> Payment:
    """A payment (row or column values as attributes) with what was expected, how it
    settled and how much of it was refunded or reversed."""
    return Payment(
        id=p.id,
        channel=p.channel,
        channel_txn_id=p.channel_txn_id,
        id_number=show_id(actor, id_number),
        coverage_year=p.coverage_year,
        amount=p.amount_fen,
        expected=p.expected_fen,
        difference=p.difference_fen,
        settlement=p.settlement,
        reversed=p.reversed_fen,
        paid_at=p.paid_at,
        payer=p.payer,
        receipt_number=p.receipt_number,
        enrollment_id=p.enrollment_id,
        recorded_by=p.recorded_by,
        created_at=p.created_at,
    )


def reversal_view(r: Any) -> Reversal:
    """A refund or channel reversal of a payment."""
    return Reversal(id=r.id, payment_id=r.payment_id, kind=r.kind, amount=r.amount_fen,
                    reason=r.reason, reference=r.reference, recorded_by=r.recorded_by,
                    created_at=r.created_at, status=r.status or "recorded",
                    decided_by=r.decided_by, decided_at=r.decided_at,
                    decision_note=r.decision_note)


def correction_view(c: rows.EnrollmentCorrection) -> Correction:
    """An admin's correction of an enrollment: reason, who, when, before and after."""
    return Correction(id=c.id, enrollment_id=c.enrollment_id, reason=c.reason,
                      before=CoverSnapshot.model_validate(c.before),
                      after=CoverSnapshot.model_validate(c.after), corrected_by=c.corrected_by,
                      created_at=c.created_at)


def household_view(actor: Actor, h: rows.Household, members: list[rows.Person]) -> Household:
    """A household and its members."""
    return Household(
        id=h.id,
        region=h.region,
        address=h.address,
        head_person_id=h.head_person_id,
        members=[HouseholdMember(id=m.id, id_number=show_id(actor, m.id_number), name=m.name)
                 for m in members],
        created_at=h.created_at,
    )


def preregistration_view(actor: Actor, r: rows.PreRegistration, p: rows.Person
                         ) -> PreRegistration:
    """A newborn pre-registration."""
    return PreRegistration(
        id=r.id,
        status=r.status,
        person_id=p.id,
        newborn_name=p.name,
        birth_date=show_birth(actor, p.birth_date),
        birth_year=p.birth_date.year if p.birth_date else None,
        sex=p.sex,
        region=p.region,
        id_number=show_id(actor, p.id_number),
        document_type=p.document_type,
        birth_hospital=r.birth_hospital,
        parent_id_number=show_id(actor, r.parent_id_number),
        parent_name=r.parent_name,
        expires_on=r.expires_on,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


def application_view(actor: Actor, a: rows.BackPaymentApplication, p: rows.Person,
                     missing: list[str]) -> Application:
    """A back-payment application (``missing``: required materials not ticked)."""
    return Application(
        id=a.id,
        id_number=show_id(actor, p.id_number),
        person_id=p.id,
        type=a.application_type,
        submitted_via=a.submitted_via,
        years=list(a.years),
        materials=dict(a.materials),
        status=a.status,
        decision_reason=a.decision_reason,
        decided_by=a.decided_by,
        decided_at=a.decided_at,
        created_by=a.created_by,
        created_at=a.created_at,
        missing_materials=missing,
    )


def audit_view(e: rows.AuditEntry) -> AuditEntry:
    """An audit entry (shown to auditors and admins)."""
    return AuditEntry(id=e.id, at=e.at, actor=e.actor, action=e.action, entity=e.entity,
                      entity_id=e.entity_id, before=e.before, after=e.after)
