"""JSON views of stored rows, with ID numbers shown as the actor may see them."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from yibao.services.common import Actor, fen_to_yuan, show_id
from yibao.store.models import (
    AuditEntry,
    BackPaymentApplication,
    EnrollmentCorrection,
    Household,
    Person,
    PreRegistration,
    SpecialGroupMembership,
)

__all__ = [
    "application_view",
    "audit_view",
    "correction_view",
    "enrollment_view",
    "household_view",
    "iso",
    "membership_view",
    "payment_view",
    "person_view",
    "preregistration_view",
    "reversal_view",
    "rules_for",
]


def iso(value: dt.date | dt.datetime | None) -> str | None:
    """ISO text of a date or date-time (None stays None)."""
    return None if value is None else value.isoformat()


@cache
def _catalogue() -> dict[str, dict[str, Any]]:
    from yibao.quoting.answers import rules_catalogue

    return {str(r["id"]): dict(r) for r in rules_catalogue()}


def rules_for(rule_ids: list[Any]) -> list[dict[str, Any]]:
    """``[{id, source, text}]`` for stored rule IDs (unknown IDs keep the ID only)."""
    out: list[dict[str, Any]] = []
    for rid in rule_ids:
        rule = _catalogue().get(str(rid), {})
        out.append({"id": rid, "source": rule.get("source"), "text": rule.get("text")})
    return out


def membership_view(m: SpecialGroupMembership) -> dict[str, Any]:
    """A special-group membership."""
    return {
        "id": m.id,
        "group": m.group_code,
        "valid_from": iso(m.valid_from),
        "valid_to": iso(m.valid_to),
        "source": m.source,
    }


def person_view(actor: Actor, p: Person, *, memberships: bool = False) -> dict[str, Any]:
    """A person; ``id_number`` masked for auditors."""
    out: dict[str, Any] = {
        "id": p.id,
        "id_number": show_id(actor, p.id_number),
        "id_number_masked": not actor.sees_full_ids and p.id_number is not None,
        "document_type": p.document_type,
        "name": p.name,
        "birth_date": iso(p.birth_date),
        "sex": p.sex,
        "region": p.region,
        "hukou_region": p.hukou_region,
        "residence_permit": p.residence_permit,
        "eligibility_category": p.eligibility_category,
        "household_id": p.household_id,
        "history_known": p.history_recorded_at is not None,
        "created_at": iso(p.created_at),
        "updated_at": iso(p.updated_at),
    }
    if memberships:
        out["special_groups"] = [membership_view(m) for m in p.memberships]
    return out


def enrollment_view(actor: Actor, e: Any, id_number: str | None) -> dict[str, Any]:
    """An enrollment (row or column values as attributes) with its benefit dates, waiting
    months, deciding rules and warnings; ``history_unknown`` when its lapse could not be
    read from the registry."""
    return {
        "id": e.id,
        "id_number": show_id(actor, id_number),
        "coverage_year": e.coverage_year,
        "status": e.status,
        "region": e.region,
        "amount_due": fen_to_yuan(e.amount_due_fen),
        "amount_paid": fen_to_yuan(e.amount_paid_fen),
        "benefit_start": iso(e.benefit_start),
        "benefit_end": iso(e.benefit_end),
        "waiting_months": {"fixed": e.waiting_fixed, "variable": e.waiting_variable},
        "rules": list(e.rules) or rules_for(list(e.rule_ids)),
        "warnings": list(e.warnings),
        "warning_codes": list(e.warning_codes or ()),
        "history_unknown": e.history_basis == "unknown",
        "policy_version": e.policy_version,
        "updated_at": iso(e.updated_at),
    }


def payment_view(actor: Actor, p: Any, id_number: str | None) -> dict[str, Any]:
    """A payment (row or column values as attributes) with what was expected, how it
    settled and how much of it was refunded or reversed."""
    return {
        "id": p.id,
        "channel": p.channel,
        "channel_txn_id": p.channel_txn_id,
        "id_number": show_id(actor, id_number),
        "coverage_year": p.coverage_year,
        "amount": fen_to_yuan(p.amount_fen),
        "expected": fen_to_yuan(p.expected_fen),
        "difference": fen_to_yuan(p.difference_fen),
        "settlement": p.settlement,
        "reversed": fen_to_yuan(p.reversed_fen),
        "paid_at": iso(p.paid_at),
        "payer": p.payer,
        "receipt_number": p.receipt_number,
        "enrollment_id": p.enrollment_id,
        "recorded_by": p.recorded_by,
        "created_at": iso(p.created_at),
    }


def reversal_view(r: Any) -> dict[str, Any]:
    """A refund or channel reversal of a payment."""
    return {
        "id": r.id,
        "payment_id": r.payment_id,
        "kind": r.kind,
        "amount": fen_to_yuan(r.amount_fen),
        "reason": r.reason,
        "reference": r.reference,
        "recorded_by": r.recorded_by,
        "created_at": iso(r.created_at),
    }


def correction_view(c: EnrollmentCorrection) -> dict[str, Any]:
    """An admin's correction of an enrollment: reason, who, when, before and after."""
    return {
        "id": c.id,
        "enrollment_id": c.enrollment_id,
        "reason": c.reason,
        "before": c.before,
        "after": c.after,
        "corrected_by": c.corrected_by,
        "created_at": iso(c.created_at),
    }


def household_view(actor: Actor, h: Household, members: list[Person]) -> dict[str, Any]:
    """A household and its members."""
    return {
        "id": h.id,
        "region": h.region,
        "address": h.address,
        "head_person_id": h.head_person_id,
        "members": [
            {"id": m.id, "id_number": show_id(actor, m.id_number), "name": m.name} for m in members
        ],
        "created_at": iso(h.created_at),
    }


def preregistration_view(actor: Actor, r: PreRegistration, p: Person) -> dict[str, Any]:
    """A newborn pre-registration."""
    return {
        "id": r.id,
        "status": r.status,
        "person_id": p.id,
        "newborn_name": p.name,
        "birth_date": iso(p.birth_date),
        "sex": p.sex,
        "region": p.region,
        "id_number": show_id(actor, p.id_number),
        "document_type": p.document_type,
        "birth_hospital": r.birth_hospital,
        "parent_id_number": show_id(actor, r.parent_id_number),
        "parent_name": r.parent_name,
        "expires_on": iso(r.expires_on),
        "created_at": iso(r.created_at),
        "updated_at": iso(r.updated_at),
    }


def application_view(actor: Actor, a: BackPaymentApplication, p: Person) -> dict[str, Any]:
    """A back-payment application."""
    return {
        "id": a.id,
        "id_number": show_id(actor, p.id_number),
        "person_id": p.id,
        "type": a.application_type,
        "submitted_via": a.submitted_via,
        "years": list(a.years),
        "materials": dict(a.materials),
        "status": a.status,
        "decision_reason": a.decision_reason,
        "decided_by": a.decided_by,
        "decided_at": iso(a.decided_at),
        "created_by": a.created_by,
        "created_at": iso(a.created_at),
    }


def audit_view(e: AuditEntry) -> dict[str, Any]:
    """An audit entry (shown to auditors and admins)."""
    return {
        "id": e.id,
        "at": iso(e.at),
        "actor": e.actor,
        "action": e.action,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "before": e.before,
        "after": e.after,
    }
