"""Calling the rules from the pages: quotes, with errors in words next to form fields.

    result, errors = run_quote(payload)
    answers = run_quotes([payload, ...])     # one engine call for many (the planner)
"""

from __future__ import annotations

from typing import Any

from yibao.errors import InputError
from yibao.web.forms import FieldErrors
from yibao.web.plain import error_words

__all__ = ["FORM_FIELD", "LABELS", "error_for_field", "run_quote", "run_quotes"]

#: the contract's input key -> the form field where its error is shown
FORM_FIELD = {
    "covered_years": "last_paid_year",
    "employee_insurance_end_date": "employee_end_date",
    "hardship_deferral": "hardship",
}

#: the contract's input keys (and the form's fields) as the form labels them
LABELS: dict[str, tuple[str, str]] = {
    "id_number": ("身份证号码", "ID number"),
    "region": ("参保地区", "region"),
    "birth_date": ("出生日期", "birth date"),
    "coverage_year": ("参保年度", "coverage year"),
    "payment_date": ("缴费日期", "payment date"),
    "covered_years": ("最后一次参保的年度", "last insured year"),
    "last_paid_year": ("最后一次参保的年度", "last insured year"),
    "special_group": ("特殊群体", "special group"),
    "employee_insurance_end_date": ("职工医保停保日期", "employee insurance end date"),
    "employee_end_date": ("职工医保停保日期", "employee insurance end date"),
    "back_pay_years": ("补缴年度", "back-pay years"),
    "hardship_deferral": ("困难延期", "hardship deferral"),
    "hardship": ("困难延期", "hardship deferral"),
}


def error_for_field(exc: InputError) -> FieldErrors:
    """``{form_field: (zh, en)}`` for one error; ``_form`` when no field is at fault."""
    text = error_words(exc.code, exc.field, exc.message, exc.message_en, LABELS,
                       form_field=FORM_FIELD)
    return {text.field: (text.zh, text.en)}


def run_quotes(payloads: list[dict[str, Any]]) -> list[dict[str, Any] | FieldErrors]:
    """For each payload its contract result, or its errors (one engine call for all)."""
    from yibao.quoting.answers import answer_many  # imported late: the rules load their data once
    from yibao.rules.answer_json import quote_to_contract

    return [error_for_field(a) if isinstance(a, InputError) else dict(quote_to_contract(a))
            for a in answer_many(payloads)]


def run_quote(payload: dict[str, Any]) -> tuple[dict[str, Any] | None, FieldErrors]:
    """The contract result for ``payload``, or the errors to show next to the fields."""
    (answer,) = run_quotes([payload])
    if "amount_due" in answer:
        return answer, {}
    return None, answer
