"""Clerk forms → API request bodies (the API validates; this only shapes).

    body = person_body(form)      # for POST /api/v1/persons
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "application_body",
    "household_body",
    "payment_body",
    "person_body",
    "preregistration_body",
    "text_of",
]


def text_of(form: Mapping[str, Any]) -> dict[str, str]:
    """Every submitted single value as stripped text (to show the form again)."""
    return {k: str(v).strip() for k, v in form.items()}


def _digits(text: str) -> bool:
    """ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` fails)."""
    return len(text) <= 12 and text.isascii() and text.isdigit()


def _years(raw: str) -> list[int]:
    parts = [p for p in raw.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if p]
    return [int(p) if _digits(p) else -1 for p in parts]


def _put(body: dict[str, Any], form: Mapping[str, str], *keys: str) -> None:
    for key in keys:
        if form.get(key):
            body[key] = form[key]


def person_body(form: Mapping[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id_number": form.get("id_number", "").upper(),
        "name": form.get("name", ""),
        "region": form.get("region", ""),
    }
    _put(body, form, "hukou_region", "eligibility_category")
    if _digits(form.get("household_id", "")):
        body["household_id"] = int(form["household_id"])
    body["residence_permit"] = form.get("residence_permit") == "1"
    history = form.get("history", "unknown")
    if history == "never":
        body["covered_years"] = []
    elif history == "years":
        body["covered_years"] = _years(form.get("covered_years", ""))
    return body


def household_body(form: Mapping[str, str]) -> dict[str, Any]:
    members = [m.strip().upper() for m in form.get("member_id_numbers", "").split() if m.strip()]
    body: dict[str, Any] = {"region": form.get("region", ""), "member_id_numbers": members}
    _put(body, form, "address")
    if form.get("head_id_number"):
        body["head_id_number"] = form["head_id_number"].upper()
    return body


def payment_body(form: Mapping[str, str]) -> dict[str, Any]:
    year = form.get("coverage_year", "")
    body: dict[str, Any] = {
        "coverage_year": int(year) if _digits(year) else year,
        "channel": form.get("channel", ""),
        "channel_txn_id": form.get("channel_txn_id", ""),
        "amount": form.get("amount", ""),
        "paid_at": form.get("paid_at", ""),
    }
    if _digits(form.get("pre_registration_id", "")):
        body["pre_registration_id"] = int(form["pre_registration_id"])
    else:
        body["id_number"] = form.get("id_number", "").upper()
    _put(body, form, "payer", "employee_insurance_end_date")
    if form.get("back_pay_years"):
        body["back_pay_years"] = _years(form["back_pay_years"])
    return body


def preregistration_body(form: Mapping[str, str]) -> dict[str, Any]:
    keys = ("newborn_name", "birth_date", "sex", "region", "birth_hospital",
            "parent_id_number", "parent_name")
    body = {k: form.get(k, "") for k in keys}
    body["parent_id_number"] = body["parent_id_number"].upper()
    return body


def application_body(form: Mapping[str, str], materials: list[str]) -> dict[str, Any]:
    return {
        "id_number": form.get("id_number", "").upper(),
        "type": form.get("type", ""),
        "submitted_via": form.get("submitted_via", "window"),
        "years": _years(form.get("years", "")),
        "materials": {code: True for code in materials},
    }
