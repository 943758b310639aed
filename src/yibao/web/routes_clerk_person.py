"""Clerk console: one person's page by row id — what to do now (the answer for paying
today: next step, total, date and reason; an underpayment's shortfall), facts, special
groups (add, end), household, coverage history (add years), enrollments, payments, and for
auditors and admins the audit trail. One read of the record, one audit row (the answers
show no ID number).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from yibao.errors import YibaoError
from yibao.http.auth import ADMIN, CLERK
from yibao.policy import reference_data as reference
from yibao.services.inputs import (
    CorrectionIn,
    HistoryIn,
    MembershipEndIn,
    MembershipIn,
    ReversalIn,
)
from yibao.services.payments.reversals import list_reversals, reverse_payment
from yibao.services.registry import records
from yibao.services.registry.corrections import correct_enrollment
from yibao.services.shapes import PersonRecord
from yibao.web.clerk_forms import labels_for, text_of
from yibao.web.console import Staff, StaffLogin, checked, field_errors, row_id, status_of
from yibao.web.csrf import csrf_protect
from yibao.web.enrollment_words import enrollment_lines
from yibao.web.registry_panel import registry_panel
from yibao.web.registry_view import Standing, standing_view
from yibao.web.routes_clerk import staff
from yibao.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])

GROUP_FIELDS = labels_for("group", "valid_from", "valid_to", "source")
HISTORY_FIELDS = labels_for("covered_years", "source")


async def _page(request: Request, who: Staff, person_id: int, *, done: str = "",
                errors: Any = None, form: dict[str, str] | None = None,
                status: int = 200) -> Response:
    try:
        record = await who.call(records.person_record, row_id(person_id, "person_id"))
    except YibaoError as exc:
        found = {"q": "", "result": None, "errors": {"q": (exc.message, exc.message_en)},
                 **staff(who)}
        return render(request, "clerk/find.html", found, status_code=status_of(exc))
    standing = await _standing(who, record)
    ctx: dict[str, Any] = {
        "record": record, "person": record.person, "history": record.history,
        "standing": standing,
        "enrollments": [enrollment_lines(e) for e in record.enrollments],
        "payments": record.payments, "members": record.household_members,
        "audit": record.audit, "done": done, "errors": errors or {}, "form": form or {},
        "groups": reference.special_groups(), **staff(who),
        "reversals": await _reversals(who, record.person.id),
    }
    ctx.update(await registry_panel(request, who, person_id))  # status changes, continuity
    return render(request, "clerk/person.html", ctx, status_code=status)


async def _reversals(who: Staff, person_id: int) -> dict[int, list[Any]]:
    """The person's refunds and reversals (done, waiting, rejected) by payment."""
    found = await who.call(list_reversals, page=1, per_page=500, status=None,
                           person_id=person_id)
    out: dict[int, list[Any]] = {}
    for item in found.items:
        out.setdefault(item.reversal.payment_id, []).append(item.reversal)
    return out


async def _standing(who: Staff, record: PersonRecord) -> Standing | None:
    """The person's years (in force, and the one being collected while its period is
    open), each its record or the answer for paying it today (Beijing)."""
    from yibao.quoting.season import season
    from yibao.services.common import today_beijing
    from yibao.services.registry.answers import person_answers

    s = season(today_beijing(), record.person.region)
    years = (s.in_force, s.next_year) if s.collecting else (s.in_force,)
    try:
        found = await who.call(person_answers, record.person.id, on=s.today, years=years)
    except YibaoError:
        return None
    return standing_view(found, record.enrollments)


@router.get("/persons/{person_id:int}")
async def person(request: Request, who: StaffLogin, person_id: int, done: str = "") -> Response:
    return await _page(request, who, person_id, done=done)


async def _change(request: Request, who: Staff, person_id: int,
                  change: Callable[[], Any], labels: dict[str, tuple[str, str]], done: str,
                  form: dict[str, str]) -> Response:
    """Make the change (a clerk's or admin's); on a refusal, the page again with the
    message beside its field."""
    try:
        await change()
    except YibaoError as exc:
        return await _page(request, who, person_id, errors=field_errors(exc, labels),
                           form=form, status=status_of(exc))
    return RedirectResponse(f"/clerk/persons/{person_id}?done={done}", status_code=303)


@router.post("/persons/{person_id:int}/special-groups")
async def add_group(request: Request, who: StaffLogin, person_id: int) -> Response:
    form = text_of(await request.form())
    body: dict[str, Any] = {k: form.get(k, "") for k in ("group", "valid_from", "source")}
    if form.get("valid_to"):
        body["valid_to"] = form["valid_to"]

    async def change() -> Any:
        who.require(CLERK)
        return await who.call(records.add_membership, row_id(person_id, "person_id"),
                              checked(MembershipIn, body))

    return await _change(request, who, person_id, change, GROUP_FIELDS, "group-added", form)


@router.post("/persons/{person_id:int}/special-groups/{membership_id:int}")
async def end_group(request: Request, who: StaffLogin, person_id: int,
                    membership_id: int) -> Response:
    form = text_of(await request.form())

    async def change() -> Any:
        who.require(CLERK)
        ids = row_id(person_id, "person_id"), row_id(membership_id, "membership_id")
        end = checked(MembershipEndIn, {"valid_to": form.get("valid_to", "")})
        return await who.call(records.end_membership, *ids, end.valid_to)

    return await _change(request, who, person_id, change, labels_for("valid_to"),
                         "group-ended", form)


@router.post("/persons/{person_id:int}/history")
async def add_history(request: Request, who: StaffLogin, person_id: int) -> Response:
    from yibao.web.clerk_forms import years_of

    form = text_of(await request.form())
    body = {"covered_years": years_of(form.get("covered_years", "")),
            "source": form.get("source", "")}

    async def change() -> Any:
        who.require(CLERK)
        return await who.call(records.add_history, row_id(person_id, "person_id"),
                              checked(HistoryIn, body))

    return await _change(request, who, person_id, change, HISTORY_FIELDS, "history-added",
                         form)


REVERSAL_FIELDS = {**labels_for("amount", "reference", "reason"), "kind": ("类型", "kind")}


@router.post("/persons/{person_id:int}/payments/{payment_id:int}/reversal")
async def reverse(request: Request, who: StaffLogin, person_id: int,
                  payment_id: int) -> Response:
    """A refund or channel reversal of one payment: done at once, waiting for another
    admin's approval, or the same reference again (the service decides which)."""
    form = text_of(await request.form())
    body: dict[str, Any] = {k: form.get(k, "") for k in ("kind", "reference", "reason")}
    if form.get("amount"):
        body["amount"] = form["amount"]
    try:
        who.require(CLERK)
        _result, how = await who.call(reverse_payment, row_id(payment_id, "payment_id"),
                                      checked(ReversalIn, body))
    except YibaoError as exc:
        words = field_errors(exc, REVERSAL_FIELDS)
        errors = {f"reverse-{payment_id}": next(iter(words.values()))}
        return await _page(request, who, person_id, errors=errors,
                           form={**form, "payment_id": str(payment_id)},
                           status=status_of(exc))
    return RedirectResponse(f"/clerk/persons/{person_id}?done=reversal-{how}#payment-{payment_id}",
                            status_code=303)


@router.post("/persons/{person_id:int}/enrollments/{enrollment_id:int}/correction")
async def correct(request: Request, who: StaffLogin, person_id: int,
                  enrollment_id: int) -> Response:
    """An admin's correction of an enrollment's cover (recomputed, or dates set by hand),
    with a reason."""
    form = text_of(await request.form())
    body: dict[str, Any] = {"reason": form.get("reason", ""),
                            "recompute": form.get("recompute") == "1"}
    for key in ("benefit_start", "benefit_end"):
        if form.get(key):
            body[key] = form[key]

    async def change() -> Any:
        return await who.call(correct_enrollment, row_id(enrollment_id, "enrollment_id"),
                              checked(CorrectionIn, body), roles=ADMIN)

    try:
        await change()
    except YibaoError as exc:
        words = field_errors(exc, labels_for("reason", "benefit_start", "benefit_end"))
        return await _page(request, who, person_id,
                           errors={f"correct-{enrollment_id}": next(iter(words.values()))},
                           form=form, status=status_of(exc))
    return RedirectResponse(f"/clerk/persons/{person_id}?done=corrected", status_code=303)
