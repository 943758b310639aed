"""Clerk console, part 2: register a person or household, record a payment, newborn
pre-registrations and back-payment applications. Each form posts to the API and shows
its errors next to the field they name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from yibao import reference
from yibao.web.clerk_api import ApiError, api
from yibao.web.clerk_forms import (
    application_body,
    household_body,
    payment_body,
    person_body,
    preregistration_body,
    text_of,
)
from yibao.web.csrf import csrf_protect
from yibao.web.forms import default_coverage_year
from yibao.web.refdata import region_groups
from yibao.web.registry_view import registry_view
from yibao.web.routes_clerk import staff
from yibao.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _ctx(
    request: Request, form: dict[str, str], errors: Any = None, **extra: Any
) -> dict[str, Any]:
    return {"form": form, "errors": errors or {}, "region_groups": region_groups(),
            **staff(request), **extra}


async def _post(
    request: Request, template: str, path: str, build: Callable[[dict[str, str]], dict[str, Any]],
    fields: set[str], **extra: Any,
) -> tuple[Any, Response | None]:
    """POST the built body; on error, the form page again with the message by its field."""
    form = text_of(await request.form())
    try:
        return await api(request, "POST", path, json=build(form)), None
    except ApiError as exc:
        ctx = _ctx(request, form, exc.field_errors(fields), **extra)
        return None, render(request, template, ctx, status_code=exc.status)


PERSON_FIELDS = {"id_number", "name", "region", "hukou_region", "household_id",
                 "eligibility_category", "covered_years"}


@router.get("/persons/new")
def person_form(request: Request) -> Response:
    extra = {"categories": reference.eligibility_categories()}
    return render(request, "clerk/person_new.html", _ctx(request, {}, **extra))


@router.post("/persons/new")
async def person_create(request: Request) -> Response:
    extra = {"categories": reference.eligibility_categories()}
    made, page = await _post(request, "clerk/person_new.html", "/api/v1/persons", person_body,
                             PERSON_FIELDS, **extra)
    if page is not None:
        return page
    return RedirectResponse(f"/clerk/persons/{made['id_number']}?done=registered",
                            status_code=303)


@router.get("/households/new")
def household_form(request: Request) -> Response:
    return render(request, "clerk/household_new.html", _ctx(request, {}))


@router.post("/households/new")
async def household_create(request: Request) -> Response:
    made, page = await _post(request, "clerk/household_new.html", "/api/v1/households",
                             household_body, {"region", "address", "head_id_number",
                                              "member_id_numbers"})
    if page is not None:
        return page
    return render(request, "clerk/household_new.html", _ctx(request, {}, household=made))


async def _payment_extra(request: Request, form: dict[str, str]) -> dict[str, Any]:
    """Channels, and the registry's view of the person: history and a quote for the form."""
    return {"channels": reference.channels(), "registry": await registry_view(request, form)}


@router.get("/payments/new")
async def payment_form(request: Request, id_number: str = "",
                       pre_registration_id: str = "") -> Response:
    form = {"id_number": id_number, "pre_registration_id": pre_registration_id,
            "coverage_year": str(default_coverage_year(date.today())),
            "paid_at": date.today().isoformat(), "channel": "tax_hall"}
    extra = await _payment_extra(request, form)
    return render(request, "clerk/payment_new.html", _ctx(request, form, **extra))


PAYMENT_FIELDS = {"id_number", "pre_registration_id", "coverage_year", "channel",
                  "channel_txn_id", "amount", "paid_at", "payer",
                  "employee_insurance_end_date", "back_pay_years"}


@router.post("/payments/new")
async def payment_create(request: Request) -> Response:
    form = text_of(await request.form())
    try:
        done = await api(request, "POST", "/api/v1/payments", json=payment_body(form))
    except ApiError as exc:
        extra = await _payment_extra(request, form)
        ctx = _ctx(request, form, exc.field_errors(PAYMENT_FIELDS), **extra)
        return render(request, "clerk/payment_new.html", ctx, status_code=exc.status)
    return render(request, "clerk/payment_done.html", {"done": done, **staff(request)})


async def _listing(request: Request, path: str, status: str) -> Any:
    try:
        return await api(request, "GET", path, params={"status": status, "per_page": 100})
    except ApiError as exc:
        return exc


def _prereg_ctx(request: Request, form: dict[str, str], errors: Any = None) -> dict[str, Any]:
    return _ctx(request, form, errors, info=reference.newborn_preregistration())


@router.get("/preregistrations")
async def preregs(request: Request, status: str = "") -> Response:
    ctx = _prereg_ctx(request, {})
    ctx["items"] = await _listing(request, "/api/v1/pre-registrations", status)
    return render(request, "clerk/preregs.html", ctx)


PREREG_FIELDS = {"newborn_name", "birth_date", "sex", "region", "birth_hospital",
                 "parent_id_number", "parent_name"}


@router.post("/preregistrations")
async def prereg_create(request: Request) -> Response:
    form = text_of(await request.form())
    try:
        await api(request, "POST", "/api/v1/pre-registrations", json=preregistration_body(form))
    except ApiError as exc:
        ctx = _prereg_ctx(request, form, exc.field_errors(PREREG_FIELDS))
        ctx["items"] = await _listing(request, "/api/v1/pre-registrations", "")
        return render(request, "clerk/preregs.html", ctx, status_code=exc.status)
    return RedirectResponse("/clerk/preregistrations?done=1", status_code=303)


@router.post("/preregistrations/{reg_id}/convert")
async def prereg_convert(request: Request, reg_id: int) -> Response:
    form = text_of(await request.form())
    try:
        await api(request, "POST", f"/api/v1/pre-registrations/{reg_id}/convert",
                  json={"id_number": form.get("id_number", "").upper()})
    except ApiError as exc:
        ctx = _prereg_ctx(request, {}, {f"convert-{reg_id}": (exc.message, exc.message_en)})
        ctx["items"] = await _listing(request, "/api/v1/pre-registrations", "")
        return render(request, "clerk/preregs.html", ctx, status_code=exc.status)
    return RedirectResponse("/clerk/preregistrations?done=1", status_code=303)


def _app_ctx(request: Request, form: dict[str, str], errors: Any = None) -> dict[str, Any]:
    return _ctx(request, form, errors, ref=reference.back_payment_reference())


@router.get("/applications")
async def applications(request: Request, status: str = "") -> Response:
    ctx = _app_ctx(request, {})
    ctx["items"] = await _listing(request, "/api/v1/back-payment-applications", status)
    return render(request, "clerk/applications.html", ctx)


@router.post("/applications")
async def application_create(request: Request) -> Response:
    raw = await request.form()
    form = text_of(raw)
    materials = [str(m) for m in raw.getlist("materials")]
    try:
        await api(request, "POST", "/api/v1/back-payment-applications",
                  json=application_body(form, materials))
    except ApiError as exc:
        ctx = _app_ctx(request, form, exc.field_errors({"id_number", "type", "years",
                                                        "submitted_via", "materials"}))
        ctx["items"] = await _listing(request, "/api/v1/back-payment-applications", "")
        return render(request, "clerk/applications.html", ctx, status_code=exc.status)
    return RedirectResponse("/clerk/applications?done=1", status_code=303)


@router.post("/applications/{app_id}/decision")
async def application_decide(request: Request, app_id: int) -> Response:
    form = text_of(await request.form())
    try:
        await api(request, "POST", f"/api/v1/back-payment-applications/{app_id}/decision",
                  json={"decision": form.get("decision", ""), "reason": form.get("reason", "")})
    except ApiError as exc:
        ctx = _app_ctx(request, {}, {f"decide-{app_id}": (exc.message, exc.message_en)})
        ctx["items"] = await _listing(request, "/api/v1/back-payment-applications", "")
        return render(request, "clerk/applications.html", ctx, status_code=exc.status)
    return RedirectResponse("/clerk/applications?done=1", status_code=303)
