"""Clerk console, part 2: register a person or household, record a payment, newborn
pre-registrations and back-payment applications. Each form goes to its use case in
process and shows a refusal in words next to the field it names. A form is shown only to
a logged-in clerk or admin; an auditor is told the page is not for their role.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from yibao.errors import YibaoError
from yibao.http.auth import ADMIN, CLERK
from yibao.policy import reference_data as reference
from yibao.services import payments
from yibao.services.common import today_beijing
from yibao.services.inputs import (
    ApplicationDecisionIn,
    ApplicationIn,
    ConvertIn,
    HouseholdIn,
    PersonIn,
    PreRegistrationIn,
)
from yibao.services.registry import applications, households, persons, preregistrations, records
from yibao.web.clerk_forms import (
    application_body,
    household_body,
    labels_for,
    payment_body,
    person_body,
    preregistration_body,
    text_of,
)
from yibao.web.console import Staff, StaffLogin, checked, field_errors, row_id, status_of
from yibao.web.csrf import csrf_protect
from yibao.web.enrollment_words import SETTLED, enrollment_lines, second_payment_words
from yibao.web.forms import default_coverage_year
from yibao.web.plain import zh_punct
from yibao.web.refdata import region_groups
from yibao.web.registry_view import registry_view
from yibao.web.routes_clerk import staff
from yibao.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _ctx(who: Staff, form: dict[str, str], errors: Any = None, **extra: Any) -> dict[str, Any]:
    return {"form": form, "errors": errors or {}, "region_groups": region_groups(),
            **staff(who), **extra}


def _readonly(request: Request, who: Staff) -> Response | None:
    """The page for a role that may not use a form (auditors read only)."""
    if who.writes:
        return None
    return render(request, "clerk/not_for_role.html", staff(who), status_code=403)


async def _submit(
    request: Request, who: Staff, template: str, make: Callable[[dict[str, str]], Awaitable[Any]],
    labels: dict[str, tuple[str, str]], **extra: Any,
) -> tuple[Any, Response | None]:
    """Make what the form asks (a clerk's or admin's); on a refusal, the form page again
    with the message by its field."""
    form = text_of(await request.form())
    try:
        who.require(CLERK)
        return await make(form), None
    except YibaoError as exc:
        ctx = _ctx(who, form, field_errors(exc, labels), **extra)
        return None, render(request, template, ctx, status_code=status_of(exc))


PERSON_FIELDS = labels_for("id_number", "name", "region", "hukou_region", "household_id",
                           "eligibility_category", "covered_years", "employee_insurance",
                           "student_at", "residence_permit")


@router.get("/persons/new")
def person_form(request: Request, who: StaffLogin) -> Response:
    extra = {"categories": reference.eligibility_categories()}
    return _readonly(request, who) or render(request, "clerk/person_new.html",
                                             _ctx(who, {}, **extra))


@router.post("/persons/new")
async def person_create(request: Request, who: StaffLogin) -> Response:
    extra = {"categories": reference.eligibility_categories()}

    async def make(form: dict[str, str]) -> Any:
        return await who.call(persons.register_person, checked(PersonIn, person_body(form)))

    made, page = await _submit(request, who, "clerk/person_new.html", make, PERSON_FIELDS,
                               **extra)
    if page is not None:
        return page
    notes = ",".join(n.code for n in made.eligibility.notes)  # what to check (C38)
    return RedirectResponse(f"/clerk/persons/{made.id}?done=registered"
                            + (f"&notes={notes}" if notes else ""), status_code=303)


HOUSEHOLD_FIELDS = labels_for("region", "address", "head_id_number", "member_id_numbers")


@router.get("/households/new")
def household_form(request: Request, who: StaffLogin) -> Response:
    return _readonly(request, who) or render(request, "clerk/household_new.html",
                                             _ctx(who, {}))


@router.post("/households/new")
async def household_create(request: Request, who: StaffLogin) -> Response:
    async def make(form: dict[str, str]) -> Any:
        return await who.call(households.create_household,
                              checked(HouseholdIn, household_body(form)))

    made, page = await _submit(request, who, "clerk/household_new.html", make,
                               HOUSEHOLD_FIELDS)
    if page is not None:
        return page
    return render(request, "clerk/household_new.html", _ctx(who, {}, household=made))


async def _person_number(who: Staff, person: str) -> str:
    """The ID number of a person row (for the payment form), "" when unknown."""
    if not person.isdigit():
        return ""
    try:
        record = await who.call(records.person_record, row_id(int(person), "person"))
    except YibaoError:
        return ""
    return str(record.person.id_number or "")


async def _payment_extra(who: Staff, form: dict[str, str]) -> dict[str, Any]:
    """Channels, and the registry's view of the person: history and a quote for the form."""
    return {"channels": reference.channels(), "registry": await registry_view(who, form)}


@router.get("/payments/new")
async def payment_form(request: Request, who: StaffLogin, person: str = "",
                       pre_registration_id: str = "") -> Response:
    if (page := _readonly(request, who)) is not None:
        return page
    today = today_beijing()
    form = {"id_number": await _person_number(who, person), "person": person,
            "pre_registration_id": pre_registration_id,
            "coverage_year": str(default_coverage_year(today)),
            "paid_at": today.isoformat(), "channel": "tax_hall"}
    extra = await _payment_extra(who, form)
    return render(request, "clerk/payment_new.html", _ctx(who, form, **extra))


PAYMENT_FIELDS = labels_for("id_number", "pre_registration_id", "coverage_year", "channel",
                            "channel_txn_id", "amount", "paid_at", "payer",
                            "employee_insurance_end_date", "back_pay_years")


async def _recorded_before(who: Staff, form: dict[str, str]) -> bool:
    """Whether the channel's transaction number is already in the ledger (a replay: the
    ledger answers the first payment and books nothing)."""
    if not form.get("channel") or not form.get("channel_txn_id"):
        return False
    try:
        found = await who.call(payments.list_payments, page=1, per_page=1,
                               channel=form["channel"], channel_txn_id=form["channel_txn_id"])
    except YibaoError:
        return False
    return found.total > 0


async def _second_payment(request: Request, who: Staff, form: dict[str, str]
                          ) -> Response | None:
    """Before a second payment for a year the registry holds as paid is saved: the form
    again with what the registry says of that year, to be confirmed (``confirm_second``)."""
    if form.get("confirm_second") == "1" or await _recorded_before(who, form):
        return None
    extra = await _payment_extra(who, form)
    view = extra["registry"]
    enrollment = view.get("enrollment") if view else None
    if enrollment is None or enrollment.status not in (*SETTLED, "pending"):
        return None
    ctx = _ctx(who, form, **extra, second=second_payment_words(enrollment))
    return render(request, "clerk/payment_new.html", ctx, status_code=409)


@router.post("/payments/new")
async def payment_create(request: Request, who: StaffLogin) -> Response:
    form = text_of(await request.form())
    try:
        who.require(CLERK)
        if (warning := await _second_payment(request, who, form)) is not None:
            return warning
        done, created = await payments.record_one(request.app.state.payment_batcher,
                                                  who.actor, payment_body(form))
    except YibaoError as exc:
        extra = await _payment_extra(who, form)
        ctx = _ctx(who, form, field_errors(exc, PAYMENT_FIELDS), **extra)
        return render(request, "clerk/payment_new.html", ctx, status_code=status_of(exc))
    person_id = form.get("person", "")
    if not person_id.isdigit() and done.payment.id_number:
        found = await who.call(records.search_persons, done.payment.id_number, page=1,
                               per_page=1)
        person_id = str(found.items[0].id) if found.items else ""
    ctx = {"done": done, "created": created, "enrollment": enrollment_lines(done.enrollment),
           "person_id": person_id, "step": await _receipt_step(who, done, person_id),
           **staff(who)}
    return render(request, "clerk/payment_done.html", ctx)


async def _receipt_step(who: Staff, done: Any, person_id: str) -> tuple[str, str] | None:
    """Where the payment buys no cover that year: the answer's next step for a payment on
    that day (pay for the next year by …, or wait for its period)."""
    e = done.enrollment
    if e.benefit_start is not None or e.status == "pending" or not person_id.isdigit():
        return None
    from yibao.services.registry.answers import person_answers

    day = done.payment.paid_at.date() if done.payment.paid_at else today_beijing()
    try:
        found = await who.call(person_answers, row_id(int(person_id), "person"), on=day,
                               years=(e.coverage_year,))
    except YibaoError:
        return None
    answer = found.years[0].answer
    if answer is None or answer.next_step is None:
        return None
    step = answer.next_step
    return zh_punct(step.text), step.text_en


async def _listing(who: Staff, ctx: dict[str, Any], use_case: Callable[..., Any],
                   status: str) -> dict[str, Any]:
    """A page of the list in ``ctx["items"]``, or why not in ``ctx["refused"]``."""
    ctx["items"], ctx["refused"] = None, None
    try:
        ctx["items"] = await who.call(use_case, page=1, per_page=100, status=status or None)
    except YibaoError as exc:
        ctx["refused"] = (exc.message, exc.message_en)
    return ctx


def _prereg_ctx(who: Staff, form: dict[str, str], errors: Any = None) -> dict[str, Any]:
    return _ctx(who, form, errors, info=reference.newborn_preregistration())


@router.get("/preregistrations")
async def preregs(request: Request, who: StaffLogin, status: str = "") -> Response:
    ctx = await _listing(who, _prereg_ctx(who, {}), preregistrations.list_preregistrations,
                         status)
    return render(request, "clerk/preregs.html", ctx)


PREREG_FIELDS = labels_for("newborn_name", "birth_date", "sex", "region", "birth_hospital",
                           "parent_id_number", "parent_name")


@router.post("/preregistrations")
async def prereg_create(request: Request, who: StaffLogin) -> Response:
    form = text_of(await request.form())
    try:
        who.require(CLERK)
        await who.call(preregistrations.create_preregistration,
                       checked(PreRegistrationIn, preregistration_body(form)))
    except YibaoError as exc:
        ctx = _prereg_ctx(who, form, field_errors(exc, PREREG_FIELDS))
        ctx = await _listing(who, ctx, preregistrations.list_preregistrations, "")
        return render(request, "clerk/preregs.html", ctx, status_code=status_of(exc))
    return RedirectResponse("/clerk/preregistrations?done=1", status_code=303)


@router.post("/preregistrations/{reg_id}/convert")
async def prereg_convert(request: Request, who: StaffLogin, reg_id: int) -> Response:
    form = text_of(await request.form())
    try:
        who.require(CLERK)
        body = checked(ConvertIn, {"id_number": form.get("id_number", "")})
        await who.call(preregistrations.convert, row_id(reg_id, "reg_id"), body.id_number)
    except YibaoError as exc:
        words = field_errors(exc, labels_for("id_number"))
        ctx = _prereg_ctx(who, {}, {f"convert-{reg_id}": next(iter(words.values()))})
        ctx = await _listing(who, ctx, preregistrations.list_preregistrations, "")
        return render(request, "clerk/preregs.html", ctx, status_code=status_of(exc))
    return RedirectResponse("/clerk/preregistrations?done=1", status_code=303)


def _app_ctx(who: Staff, form: dict[str, str], errors: Any = None) -> dict[str, Any]:
    return _ctx(who, form, errors, ref=reference.back_payment_reference())


@router.get("/applications")
async def application_list(request: Request, who: StaffLogin, status: str = "") -> Response:
    ctx = await _listing(who, _app_ctx(who, {}), applications.list_applications, status)
    return render(request, "clerk/applications.html", ctx)


APPLICATION_FIELDS = labels_for("id_number", "type", "years", "submitted_via", "materials")


@router.post("/applications")
async def application_create(request: Request, who: StaffLogin) -> Response:
    raw = await request.form()
    form = text_of(raw)
    materials = [str(m) for m in raw.getlist("materials")]
    try:
        who.require(CLERK)
        await who.call(applications.create_application,
                       checked(ApplicationIn, application_body(form, materials)))
    except YibaoError as exc:
        ctx = _app_ctx(who, form, field_errors(exc, APPLICATION_FIELDS))
        ctx = await _listing(who, ctx, applications.list_applications, "")
        return render(request, "clerk/applications.html", ctx, status_code=status_of(exc))
    return RedirectResponse("/clerk/applications?done=1", status_code=303)


@router.post("/applications/{app_id}/decision")
async def application_decide(request: Request, who: StaffLogin, app_id: int) -> Response:
    form = text_of(await request.form())
    try:
        who.require(ADMIN)
        body = checked(ApplicationDecisionIn, {"decision": form.get("decision", ""),
                                               "reason": form.get("reason", "")})
        await who.call(applications.decide, row_id(app_id, "app_id"), body)
    except YibaoError as exc:
        words = field_errors(exc, labels_for("decision", "reason"))
        ctx = _app_ctx(who, {}, {f"decide-{app_id}": next(iter(words.values()))})
        ctx = await _listing(who, ctx, applications.list_applications, "")
        return render(request, "clerk/applications.html", ctx, status_code=status_of(exc))
    return RedirectResponse("/clerk/applications?done=1", status_code=303)
