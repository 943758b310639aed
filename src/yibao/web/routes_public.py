"""Resident pages: ``/`` (what I owe and from when), ``/plan`` (pay-date planner),
``/pay`` (where to pay, whom to call). Thin handlers; logic lives in the view modules.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from starlette.responses import Response

from yibao.policy import reference_data as reference
from yibao.quoting.answers import concentrated_period
from yibao.quoting.season import GUANGXI, Season, season
from yibao.web.answer_view import lead_of
from yibao.web.forms import FieldErrors, ResidentForm, date_problem
from yibao.web.i18n import pick_lang
from yibao.web.planner import RepairRow, plan_days, repair_rows
from yibao.web.quotes import run_quote
from yibao.web.refdata import birth_date_of, region_groups, where_to_pay
from yibao.web.resident_view import explain
from yibao.web.templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _region(form: ResidentForm) -> str:
    """The form's region (or the ID number's), Guangxi before one is known."""
    code = form.region or (form.id_number[:6] if len(form.id_number) >= 6 else "")
    return code if code in reference.load_regions() else GUANGXI


def _season(form: ResidentForm | None = None) -> Season:
    return season(_today(), _region(form) if form is not None else GUANGXI)


def _choices(form: ResidentForm | None = None) -> dict[str, Any]:
    return {"region_groups": region_groups(), "special_groups": reference.special_groups(),
            "season": _season(form)}


def _resubmit(data: Any) -> list[tuple[str, str]]:
    """The submitted fields, for the language toggle to post again."""
    items = data.multi_items() if hasattr(data, "multi_items") else list(data.items())
    return [(str(k), str(v)) for k, v in items if k != "lang"]


def _today() -> date:
    from yibao.services.common import today_beijing

    return today_beijing()


def _period(region: str, year: int) -> tuple[date, date] | None:
    try:
        return concentrated_period(region, year)
    except (KeyError, ValueError):
        return None


@router.get("/")
def resident_page(request: Request) -> Response:
    form = ResidentForm.blank(_today())
    ctx = {"form": form, "errors": {}, "view": None, **_choices()}
    return render(request, "resident.html", ctx)


@router.post("/")
async def resident_quote(request: Request) -> Response:
    data = await request.form()
    # the engine's work and the page leave the event loop: other requests keep being served
    return await anyio.to_thread.run_sync(_resident_quote, request, data)


def _resident_quote(request: Request, data: Any) -> Response:
    form = ResidentForm.from_mapping(data, today=_today())
    payload, errors = form.to_payload()
    view = None
    if not errors:
        result, errors = run_quote(payload)
        if result is not None:
            region = str(result["region"]["code"])
            view = explain(result, form, birth_date_of(form.id_number, form.birth_date),
                           _period(region, int(result["coverage_year"])))
    status = 422 if errors else 200
    ctx = {"form": form, "errors": errors, "view": view, **_choices(form),
           "resubmit": _resubmit(data)}
    return render(request, "resident.html", ctx, status_code=status)


def _months(raw: Any) -> int:
    text = str(raw or "6")
    return max(1, min(12, int(text))) if len(text) <= 2 and text.isascii() and text.isdigit() else 6


@router.get("/plan")
def plan_page(request: Request) -> Response:
    form = ResidentForm.blank(_today())
    ctx = {"form": form, "errors": {}, "plan": None, "lead": None, "repair": [], "months": 6,
           **_choices()}
    return render(request, "plan.html", ctx)


@router.post("/plan")
async def plan_result(request: Request) -> Response:
    data = await request.form()
    # a few hundred engine rows and a page: in a worker thread, not on the event loop
    return await anyio.to_thread.run_sync(_plan_result, request, data)


def _plan_result(request: Request, data: Any) -> Response:
    form = ResidentForm.from_mapping(data, today=_today())
    months = _months(data.get("months"))
    problem = date_problem(form.payment_date, ("缴费日期", "payment date"))
    if problem is not None:  # checked before use: 9999-12-31 plus six months overflows
        ctx = {"form": form, "errors": {"payment_date": problem}, "plan": None, "lead": None,
               "repair": [], "repair_errors": {}, "months": months, **_choices(form),
               "resubmit": _resubmit(data)}
        return render(request, "plan.html", ctx, status_code=422)
    first = date.fromisoformat(form.payment_date.strip())
    form = form.with_payment_date(first)
    plan = plan_days(form, first=first, days=months * 30, lang=pick_lang(request))
    lead = None
    repair: list[RepairRow] = []
    repair_errors: FieldErrors = {}
    if not plan.errors:
        payload, _ = form.to_payload()
        result, _ = run_quote(payload)
        lead = lead_of(result) if result is not None else None  # the first day's answer
        repair, repair_errors = repair_rows(form)
    ctx = {
        "form": form, "errors": plan.errors, "plan": None if plan.errors else plan,
        "lead": lead, "repair": repair, "repair_errors": repair_errors, "months": months,
        **_choices(form), "resubmit": _resubmit(data),
    }
    return render(request, "plan.html", ctx, status_code=422 if plan.errors else 200)


@router.get("/pay")
def pay_page(request: Request, region: str = "") -> Response:
    known = region in reference.load_regions()
    info = where_to_pay(region if known else "")
    ctx = {"info": info, "region": region if known else "", "region_groups": region_groups()}
    return render(request, "pay.html", ctx)
