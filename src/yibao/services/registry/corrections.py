"""An admin's explicit correction of an enrollment's cover, with a reason, before and after.

The cover of an enrollment changes only here once a payment fixed it: either recomputed
from the registry as it stands now (e.g. after a history import showed a lapse), or set
by hand (dates inside the coverage year, waiting months).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import Table, insert, select, update

from yibao.errors import InputError
from yibao.services.common import Actor, audit_id_reads
from yibao.services.errors import Conflict, NotFound
from yibao.services.inputs import CorrectionIn
from yibao.services.payments.cover import fix_cover, make_pending, snapshot, update_status
from yibao.services.payments.requote import anchor_payment, requote
from yibao.services.payments.writes import audit_row
from yibao.services.scope import require_visible
from yibao.services.shapes import Correction
from yibao.store.db import Database
from yibao.store.models import AuditEntry, Enrollment, EnrollmentCorrection, Person, utcnow

__all__ = ["correct_enrollment"]

_E = cast(Table, Enrollment.__table__)
_C = cast(Table, EnrollmentCorrection.__table__)
_A = cast(Table, AuditEntry.__table__)
_PERSON = cast(Table, Person.__table__)
_MANUAL = ("benefit_start", "benefit_end", "waiting_fixed", "waiting_variable")


def _invalid(code: str, zh: str, en: str, field: str | None = None) -> InputError:
    return InputError(code, zh, en, field=field)


def _manual(state: dict[str, Any], data: CorrectionIn) -> None:
    given = {k: getattr(data, k) for k in _MANUAL if k in data.model_fields_set}
    if not given:
        raise _invalid("correction_empty", "请给出要更正的内容,或选择按登记系统重新计算",
                       "give the values to correct, or recompute from the registry")
    for name in ("waiting_fixed", "waiting_variable"):
        if name in given and given[name] is None:
            raise _invalid("invalid_value", f"“{name}”不能为空(无等待期请填 0)",
                           f"{name} may not be null (0 for no waiting)", name)
    state.update(given)
    year = int(state["coverage_year"])
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    start, end = state["benefit_start"], state["benefit_end"]
    for name, day in (("benefit_start", start), ("benefit_end", end)):
        if day is not None and not first <= day <= last:
            raise _invalid("date_outside_year", f"日期须在{year}年度内",
                           f"{name} must lie in coverage year {year}", name)
    if start is not None and end is not None and end < start:
        raise _invalid("invalid_period", "待遇结束日不得早于开始日",
                       "benefit_end is before benefit_start", "benefit_end")


def correct_enrollment(
    db: Database, actor: Actor, enrollment_id: int, data: CorrectionIn
) -> Correction:
    """Correct one enrollment; returns the correction with the enrollment's new state."""
    from yibao.services.views import correction_view

    if data.recompute and any(k in data.model_fields_set for k in _MANUAL):
        raise _invalid("correction_ambiguous", "重新计算时不能同时手工填写日期",
                       "recompute and hand-set values cannot be combined")
    with db.write() as s:
        conn = s.connection()
        row = conn.execute(select(_E).where(_E.c.id == enrollment_id)).first()
        missing = NotFound("enrollment_not_found", "未找到该参保记录", "no such enrollment",
                           field="id")
        if row is None:
            raise missing
        region = conn.execute(select(_PERSON.c.region).where(_PERSON.c.id == row.person_id)
                              .with_for_update()).scalar_one()
        require_visible(actor, region, missing)
        row = conn.execute(select(_E).where(_E.c.id == enrollment_id).with_for_update()).one()
        state = dict(row._mapping)
        before = snapshot(state)
        if data.recompute:
            anchor = anchor_payment(conn, enrollment_id)
            if anchor is None:
                raise Conflict("no_payment", "该参保记录没有有效缴费,无从计算",
                               "the enrollment has no payment left to compute from")
            quote, unknown = requote(conn, state, anchor)
            if quote.total_due_fen is None:
                make_pending(state, quote, history_unknown=unknown)
            else:
                fix_cover(state, quote, history_unknown=unknown)
            update_status(state)
        else:
            _manual(state, data)
            if "benefit_start" in data.model_fields_set:  # the reason is the correction's
                state["start_reason"] = {"code": "correction", "text": f"管理员更正:{data.reason}",
                                         "text_en": f"corrected by an administrator: "
                                                    f"{data.reason}"}
        after = snapshot(state)
        if after == before:
            raise _invalid("correction_no_change", "更正后与原记录相同,未作更改",
                           "the correction changes nothing")
        now = utcnow()
        state["updated_at"] = now
        keep = ("id", "person_id", "coverage_year", "created_at")
        conn.execute(update(_E).where(_E.c.id == enrollment_id)
                     .values({k: v for k, v in state.items() if k not in keep}))
        cid = conn.execute(insert(_C).returning(_C.c.id), [{
            "enrollment_id": enrollment_id, "reason": data.reason, "before": before,
            "after": after, "corrected_by": actor.username, "created_at": now}]).scalar_one()
        conn.execute(insert(_A), [audit_row(actor, "correct", "enrollment", enrollment_id,
                                            before, {**after, "reason": data.reason}, now)])
        correction = s.get(EnrollmentCorrection, cid)
        assert correction is not None
        audit_id_reads(s, actor, [int(row.person_id)], "correct_enrollment")
        return correction_view(correction)
