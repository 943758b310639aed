"""Clerk console, part 2: register a person or household, record a payment, newborn
pre-registrations and back-payment applications. Each form posts to the API and shows
its errors in words next to the field they name. A form is shown only to a logged-in
clerk or admin; an auditor is told the page is not for their role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from yibao.policy import reference_data as reference
from yibao.services.common import today_beijing
from yibao.web.clerk_api import ApiError, Staff, StaffLogin, api
from yibao.web.clerk_forms import (
    application_body,
    household_body,
    labels_for,
    payment_body,
    person_body,
    preregistration_body,
    text_of,
)
from yibao.web.csrf import csrf_protect
from yibao.web.enrollment_words import enrollment_lines
from yibao.web.forms import default_coverage_year
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


async def _post(
    request: Request, who: Staff, template: str, path: str,
    build: Callable[[dict[str, str]], dict[str, Any]], labels: dict[str, tuple[str, str]],
    **extra: Any,
) -> tuple[Any, Response | None]:
    """POST the built body; on error, the form page again with the message by its field."""
    form = text_of(await request.form())
    try:
        return await api(request, "POST", path, json=build(form)), None
    except ApiError as exc:
        ctx = _ctx(who, form, exc.field_errors(labels), **extra)
        return None, render(request, template, ctx, status_code=exc.status)


PERSON_FIELDS = labels_for("id_number", "name", "region", "hukou_region", "household_id",
                           "eligibility_category", "covered_years")


@router.get("/persons/new")
def person_form(request: Request, who: StaffLogin) -> Response:
    extra = {"categories": reference.eligibility_categories()}
    return _readonly(request, who) or render(request, "clerk/person_new.html",
                                             _ctx(who, {}, **extra))


@router.post("/persons/new")
async def person_create(request: Request, who: StaffLogin) -> Response:
    extra = {"categories": reference.eligibility_categories()}
    made, page = await _post(request, who, "clerk/person_new.html", "/api/v1/persons",
                             person_body, PERSON_FIELDS, **extra)
    if page is not None:
        return page
    return RedirectResponse(f"/clerk/persons/{made['id']}?done=registered", status_code=303)


HOUSEHOLD_FIELDS = labels_for("region", "address", "head_id_number", "member_id_numbers")


@router.get("/households/new")
def household_form(request: Request, who: StaffLogin) -> Response:
    return _readonly(request, who) or render(request, "clerk/household_new.html",
                                             _ctx(who, {}))


@router.post("/households/new")
async def household_create(request: Request, who: StaffLogin) -> Response:
    made, page = await _post(request, who, "clerk/household_new.html", "/api/v1/households",
                             household_body, HOUSEHOLD_FIELDS)
    if page is not None:
        return page
    return render(request, "clerk/household_new.html", _ctx(who, {}, household=made))


async def _person_number(request: Request, person: str) -> str:
    """The ID number of a person row (for the payment form), "" when unknown."""
    if not person.isdigit():
        return ""
    try:
        record = await api(request, "GET", f"/api/v1/person-records/{person}")
    except ApiError:
        return ""
    return str(record["person"].get("id_number") or "")


async def _payment_extra(request: Request, form: dict[str, str]) -> dict[str, Any]:
    """Channels, and the registry's view of the person: history and a quote for the form."""
    return {"channels": reference.channels(), "registry": await registry_view(request, form)}


@router.get("/payments/new")
async def payment_form(request: Request, who: StaffLogin, person: str = "",
                       pre_registration_id: str = "") -> Response:
    if (page := _readonly(request, who)) is not None:
        return page
    today = today_beijing()
    form = {"id_number": await _person_number(request, person), "person": person,
            "pre_registration_id": pre_registration_id,
            "coverage_year": str(default_coverage_year(today)),
            "paid_at": today.isoformat(), "channel": "tax_hall"}
    extra = await _payment_extra(request, form)
    return render(request, "clerk/payment_new.html", _ctx(who, form, **extra))


PAYMENT_FIELDS = labels_for("id_number", "pre_registration_id", "coverage_year", "channel",
                            "channel_txn_id", "amount", "paid_at", "payer",
                            "employee_insurance_end_date", "back_pay_years")


@router.post("/payments/new")
async def payment_create(request: Request, who: StaffLogin) -> Response:
    form = text_of(await request.form())
    try:
        done = await api(request, "POST", "/api/v1/payments", json=payment_body(form))
    except ApiError as exc:
        extra = await _payment_extra(request, form)
        ctx = _ctx(who, form, exc.field_errors(PAYMENT_FIELDS), **extra)
        return render(request, "clerk/payment_new.html", ctx, status_code=exc.status)
    person_id = form.get("person", "")
    if not person_id.isdigit() and done["payment"].get("id_number"):
        found = await api(request, "GET", "/api/v1/person-records",
                          params={"q": done["payment"]["id_number"], "per_page": 1})
        person_id = str(found["items"][0]["id"]) if found["items"] else ""
    ctx = {"done": done, "enrollment": enrollment_lines(done["enrollment"]),
           "person_id": person_id, **staff(who)}
    return render(request, "clerk/payment_done.html", ctx)


async def _listing(request: Request, path: str, status: str) -> Any:
    try:
        return await api(request, "GET", path, params={"status": status, "per_page": 100})
    except ApiError as exc:
        return exc


def _prereg_ctx(who: Staff, form: dict[str, str], errors: Any = None) -> dict[str, Any]:
    return _ctx(who, form, errors, info=reference.newborn_preregistration())


@router.get("/preregistrations")
async def preregs(request: Request, who: StaffLogin, status: str = "") -> Response:
    ctx = _prereg_ctx(who, {})
    ctx["items"] = await _listing(request, "/api/v1/pre-registrations", status)
    return render(request, "clerk/preregs.html", ctx)


PREREG_FIELDS = labels_for("newborn_name", "birth_date", "sex", "region", "birth_hospital",
                           "parent_id_number", "parent_name")


@router.post("/preregistrations")
async def prereg_create(request: Request, who: StaffLogin) -> Response:
    form = text_of(await request.form())
    try:
        await api(request, "POST", "/api/v1/pre-registrations", json=preregistration_body(form))
    except ApiError as exc:
        ctx = _prereg_ctx(who, form, exc.field_errors(PREREG_FIELDS))
        ctx["items"] = await _listing(request, "/api/v1/pre-registrations", "")
        return render(request, "clerk/preregs.html", ctx, status_code=exc.status)
    return RedirectResponse("/clerk/preregistrations?done=1", status_code=303)


@router.post("/preregistrations/{reg_id}/convert")
async def prereg_convert(request: Request, who: StaffLogin, reg_id: int) -> Response:
    form = text_of(await request.form())
    try:
        await api(request, "POST", f"/api/v1/pre-registrations/{reg_id}/convert",
                  json={"id_number": form.get("id_number", "")})
    except ApiError as exc:
        words = exc.field_errors(labels_for("id_number"))
        ctx = _prereg_ctx(who, {}, {f"convert-{reg_id}": next(iter(words.values()))})
        ctx["items"] = await _listing(request, "/api/v1/pre-registrations", "")
        return render(request, "clerk/preregs.html", ctx, status_code=exc.status)
    return RedirectResponse("/clerk/preregistrations?done=1", status_code=303)


def _app_ctx(who: Staff, form: dict[str, str], errors: Any = None) -> dict[str, Any]:
    return _ctx(who, form, errors, ref=reference.back_payment_reference())


@router.get("/applications")
async def applications(request: Request, who: StaffLogin, status: str = "") -> Response:
    ctx = _app_ctx(who, {})
    ctx["items"] = await _listing(request, "/api/v1/back-payment-applications", status)
    return render(request, "clerk/applications.html", ctx)


APPLICATION_FIELDS = labels_for("id_number", "type", "years", "submitted_via", "materials")


@router.post("/applications")
async def application_create(request: Request, who: StaffLogin) -> Response:
    raw = await request.form()
    form = text_of(raw)
    materials = [str(m) for m in raw.getlist("materials")]
    try:
        await api(request, "POST", "/api/v1/back-payment-applications",
                  json=application_body(form, materials))
    except ApiError as exc:
        ctx = _app_ctx(who, form, exc.field_errors(APPLICATION_FIELDS))
        ctx["items"] = await _listing(request, "/api/v1/back-payment-applications", "")
        return render(request, "clerk/applications.html", ctx, status_code=exc.status)
    return RedirectResponse("/clerk/applications?done=1", status_code=303)


@router.post("/applications/{app_id}/decision")
async def application_decide(request: Request, who: StaffLogin, app_id: int) -> Response:
    form = text_of(await request.form())
    try:
        await api(request, "POST", f"/api/v1/back-payment-applications/{app_id}/decision",
                  json={"decision": form.get("decision", ""), "reason": form.get("reason", "")})
    except ApiError as exc:
        words = exc.field_errors(labels_for("decision", "reason"))
        ctx = _app_ctx(who, {}, {f"decide-{app_id}": next(iter(words.values()))})
        ctx["items"] = await _listing(request, "/api/v1/back-payment-applications", "")
        return render(request, "clerk/applications.html", ctx, status_code=exc.status)
    return RedirectResponse("/clerk/applications?done=1", status_code=303)
