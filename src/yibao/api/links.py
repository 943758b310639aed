"""OpenAPI links: which answer's field feeds which operation's parameter.

A client (or a stateful test such as schemathesis) follows them: a registered person's
``id_number`` to its reads and changes, a recorded payment's ``payment.id`` and
``enrollment.id`` to reversals and corrections, new households, pre-registrations and
applications to their reads and actions.
"""

from __future__ import annotations

from typing import Any

__all__ = ["add_links"]

_P = "/api/v1/persons/{id_number}"
_PERSON = {"id_number": "$response.body#/id_number"}
_ID = "$response.body#/id"
#: (path, method) of the creating operation → [(link name, target path, method, parameters)]
_LINKS: dict[tuple[str, str], list[tuple[str, str, str, dict[str, str]]]] = {
    ("/api/v1/persons", "post"): [
        ("GetPerson", _P, "get", _PERSON),
        ("ChangePerson", _P, "patch", _PERSON),
        ("PersonPayments", f"{_P}/payments", "get", _PERSON),
        ("PersonEnrollments", f"{_P}/enrollments", "get", _PERSON),
        ("PersonHistory", f"{_P}/history", "get", _PERSON),
        ("AddHistory", f"{_P}/history", "post", _PERSON),
        ("AddSpecialGroup", f"{_P}/special-groups", "post", _PERSON),
        ("PersonQuote", f"{_P}/quote", "get", _PERSON),
    ],
    ("/api/v1/payments", "post"): [
        ("GetPayment", "/api/v1/payments/{payment_id}", "get",
         {"payment_id": "$response.body#/payment/id"}),
        ("ReversePayment", "/api/v1/payments/{payment_id}/reversals", "post",
         {"payment_id": "$response.body#/payment/id"}),
        ("GetEnrollment", "/api/v1/enrollments/{enrollment_id}", "get",
         {"enrollment_id": "$response.body#/enrollment/id"}),
        ("CorrectEnrollment", "/api/v1/enrollments/{enrollment_id}/corrections", "post",
         {"enrollment_id": "$response.body#/enrollment/id"}),
    ],
    ("/api/v1/households", "post"): [
        ("GetHousehold", "/api/v1/households/{household_id}", "get", {"household_id": _ID}),
        ("AddMember", "/api/v1/households/{household_id}/members", "post",
         {"household_id": _ID}),
    ],
    ("/api/v1/pre-registrations", "post"): [
        ("GetPreRegistration", "/api/v1/pre-registrations/{reg_id}", "get", {"reg_id": _ID}),
        ("Convert", "/api/v1/pre-registrations/{reg_id}/convert", "post", {"reg_id": _ID}),
    ],
    ("/api/v1/back-payment-applications", "post"): [
        ("GetApplication", "/api/v1/back-payment-applications/{app_id}", "get",
         {"app_id": _ID}),
        ("Decide", "/api/v1/back-payment-applications/{app_id}/decision", "post",
         {"app_id": _ID}),
    ],
}


def add_links(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with the links above on each creating operation's 201 answer."""
    paths = spec.get("paths", {})
    for (path, method), links in _LINKS.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get("201")
        if response is None:
            continue
        response["links"] = {
            name: {"operationId": paths[target][verb]["operationId"], "parameters": params}
            for name, target, verb, params in links
        }
    return spec
