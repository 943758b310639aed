"""Clerk forms → API request bodies (the API validates; this only shapes).

    body = person_body(form)      # for POST /api/v1/persons
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "LABELS",
    "application_body",
    "household_body",
    "labels_for",
    "payment_body",
    "person_body",
    "preregistration_body",
    "text_of",
    "years_of",
]


def text_of(form: Mapping[str, Any]) -> dict[str, str]:
    """Every submitted single value as stripped text (to show the form again); ID numbers
    without spaces or dashes."""
    from yibao.web.forms import clean_id_number

    out = {k: str(v).strip() for k, v in form.items()}
    for key in ("id_number", "head_id_number", "parent_id_number"):
        if out.get(key):
            out[key] = clean_id_number(out[key])
    return out


def years_of(raw: str) -> list[int]:
    """``"2020、2021, 2022"`` → [2020, 2021, 2022] (anything else → -1, refused by the API)."""
    return _years(raw)


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
    body["employee_insurance"] = form.get("employee_insurance") == "1"
    _put(body, form, "student_at")
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


#: the API's field names as the console's forms label them
LABELS: dict[str, tuple[str, str]] = {
    "username": ("用户名", "username"),
    "password": ("密码", "password"),
    "q": ("姓名或身份证号码", "name or ID number"),
    "id_number": ("身份证号码", "ID number"),
    "name": ("姓名", "name"),
    "region": ("参保地区", "region"),
    "hukou_region": ("户籍地区", "hukou region"),
    "household_id": ("家庭编号", "household number"),
    "eligibility_category": ("参保类别", "category"),
    "covered_years": ("曾参保的年度", "covered years"),
    "coverage_year": ("参保年度", "coverage year"),
    "channel": ("缴费渠道", "channel"),
    "channel_txn_id": ("渠道流水号", "channel transaction ID"),
    "amount": ("金额", "amount"),
    "paid_at": ("缴费日期", "payment date"),
    "payer": ("缴款人", "payer"),
    "employee_insurance_end_date": ("职工医保终止日期", "employee insurance end date"),
    "back_pay_years": ("补缴年度", "back-paid years"),
    "pre_registration_id": ("新生儿预登记编号", "pre-registration number"),
    "newborn_name": ("新生儿姓名", "newborn's name"),
    "birth_date": ("出生日期", "birth date"),
    "sex": ("性别", "sex"),
    "birth_hospital": ("出生医院", "birth hospital"),
    "parent_id_number": ("父亲或母亲身份证号码", "parent's ID number"),
    "parent_name": ("父亲或母亲姓名", "parent's name"),
    "type": ("补缴情形", "case"),
    "years": ("补缴年度", "years"),
    "submitted_via": ("办理方式", "submitted"),
    "materials": ("已收材料", "materials"),
    "address": ("住址", "address"),
    "head_id_number": ("户主身份证号码", "head of household's ID number"),
    "member_id_numbers": ("成员身份证号码", "members' ID numbers"),
    "group": ("特殊群体", "special group"),
    "valid_from": ("开始日期", "start date"),
    "valid_to": ("结束日期", "end date"),
    "source": ("依据", "basis"),
    "reason": ("理由", "reason"),
    "decision": ("审核结果", "decision"),
    "kind": ("身份变化", "status change"),
    "date": ("开始日期", "from"),
    "status_change_id": ("身份变化记录", "status change"),
    "employee_insurance": ("正在参加职工医保", "in employee insurance"),
    "student_at": ("就读学校所在地区", "school's region"),
    "residence_permit": ("本地居住证", "local residence permit"),
    "current_password": ("当前密码", "current password"),
    "new_password": ("新密码", "new password"),
    "note": ("审批意见", "note"),
    "reference": ("凭证号", "reference"),
    "benefit_start": ("待遇开始日", "cover starts"),
    "benefit_end": ("待遇结束日", "cover ends"),
}


def labels_for(*names: str) -> dict[str, tuple[str, str]]:
    """The labels of these fields (errors on other fields go above the buttons)."""
    return {n: LABELS[n] for n in names}
