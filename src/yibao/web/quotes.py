"""Calling the rules from the pages: one quote, with errors mapped to form fields.

    result, errors = run_quote(payload)
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from yibao.errors import InputError
from yibao.validation import input_error
from yibao.web.forms import FieldErrors

__all__ = ["FORM_FIELD", "error_for_field", "run_quote"]

#: the contract's input key -> the form field where its error is shown
FORM_FIELD = {
    "covered_years": "last_paid_year",
    "employee_insurance_end_date": "employee_end_date",
    "hardship_deferral": "hardship",
}


def error_for_field(exc: InputError) -> FieldErrors:
    """``{form_field: (zh, en)}`` for one error; ``_form`` when no field is at fault."""
    name = FORM_FIELD.get(exc.field or "", exc.field or "_form")
    return {name: (exc.message, exc.message_en)}


def run_quote(payload: dict[str, Any]) -> tuple[dict[str, Any] | None, FieldErrors]:
    """The contract result for ``payload``, or the errors to show next to the fields."""
    from yibao.quoting import quote  # imported late: the rules load their data once

    try:
        return quote(payload), {}
    except InputError as exc:
        return None, error_for_field(exc)
    except ValidationError as exc:  # the one translator, as everywhere else
        return None, error_for_field(input_error(exc.errors()))
