"""The OpenAPI document against real answers: one representative call of every route, in
process, on a fresh SQLite registry; every key an answer has is declared in its route's
schema for that status, and every key the schema requires is there. Besides: every route
declares its success shape, no shape accepts keys it does not declare, and every error
status is the contract's error shape.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, TypedDict, get_origin, get_type_hints

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import BaseModel

from yibao.idcard import make_id_number
from yibao.rules.answer import DayText, YuanText
from yibao.server import create_app
from yibao.services.common import Actor
from yibao.services.shapes import ErrorOut
from yibao.services.staff.users import create_user
from yibao.settings import Settings
from yibao.store.db import Database
from yibao.store.migrate import upgrade

PASSWORD = "shapes-pass-1"
TODAY = dt.date.today()


@dataclass
class Api:
    """The app in process, its document, and the routes called so far."""

    client: TestClient
    app: FastAPI
    db: Database
    doc: dict[str, Any]
    tokens: dict[str, str] = field(default_factory=dict)
    called: set[tuple[str, str]] = field(default_factory=set)

    def call(self, method: str, template: str, *, role: str | None = "admin",
             status: int | None = None, **kwargs: Any) -> Any:
        """Call ``template`` (``{name}`` filled from ``path=``), check the answer against
        the document, return its JSON."""
        path = template.format(**kwargs.pop("path", {}))
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        r = self.client.request(method, path, headers=headers, **kwargs)
        if status is not None:
            assert r.status_code == status, r.text
        self.called.add((method.lower(), template))
        check_answer(self.doc, method, template, r)
        return r.json() if r.content else None


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    url = f"sqlite:///{tmp_path_factory.mktemp('shapes') / 'yibao.sqlite3'}"
    upgrade(url)
    db = Database(url)
    for role in ("clerk", "auditor", "admin"):
        create_user(db, f"s-{role}", role, PASSWORD)
    create_user(db, "s-leaver", "clerk", PASSWORD)
    app = create_app(Settings(database_url=url, secret_key=secrets.token_urlsafe(48)),
                     db=db)
    with TestClient(app) as client:
        out = Api(client, app, db, app.openapi())
        for role in ("clerk", "auditor", "admin", "leaver"):
            r = client.post("/api/v1/auth/token",
                            data={"username": f"s-{role}", "password": PASSWORD})
            out.tokens[role] = r.json()["access_token"]
        yield out
    db.dispose()


# --- the answer against the schema ------------------------------------------------------

def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = doc["components"]["schemas"][name]
    return schema


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "null": (type(None),), "object": (dict,), "array": (list,),
}


def _problems(doc: dict[str, Any], value: Any, schema: dict[str, Any], at: str) -> list[str]:
    """What in ``value`` the schema does not declare or requires and misses (empty: fits)."""
    schema = _resolve(doc, schema)
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        found = [_problems(doc, value, s, at) for s in alternatives]
        return [] if any(not f for f in found) else min(found, key=len)
    kind = schema.get("type")
    if kind is not None:
        if isinstance(value, bool) and kind in ("integer", "number"):
            return [f"{at}: a boolean where {kind} is declared"]
        if not isinstance(value, _TYPES[kind]):
            return [f"{at}: {type(value).__name__} where {kind} is declared"]
    if "const" in schema and value != schema["const"]:
        return [f"{at}: {value!r} is not {schema['const']!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{at}: {value!r} is not one of {schema['enum']}"]
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        return [f"{at}: {value!r} does not match {schema['pattern']}"]
    out: list[str] = []
    if isinstance(value, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                out += _problems(doc, item, props[key], f"{at}.{key}")
            elif isinstance(extra, dict):
                out += _problems(doc, item, extra, f"{at}.{key}")
            elif extra is not True:  # True: a free-form object (an audit row's before/after)
                out.append(f"{at}.{key}: not declared")
        out += [f"{at}.{key}: required, missing" for key in schema.get("required", ())
                if key not in value]
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            out += _problems(doc, item, schema["items"], f"{at}[{n}]")
    return out


def check_answer(doc: dict[str, Any], method: str, template: str, r: Response) -> None:
    operation = doc["paths"][template][method.lower()]
    declared = operation["responses"]
    assert str(r.status_code) in declared, f"{method} {template}: {r.status_code} undeclared"
    content = declared[str(r.status_code)].get("content")
    if not r.content:
        assert content is None, f"{method} {template}: {r.status_code} declares a body"
        return
    assert r.headers["content-type"].startswith("application/json")
    schema = content["application/json"]["schema"]
    problems = _problems(doc, r.json(), schema, "answer")
    assert not problems, f"{method} {template} {r.status_code}:\n" + "\n".join(problems)


# --- one call of every route ------------------------------------------------------------

def _number(birth: dt.date, serial: int, region: str = "450802") -> str:
    return make_id_number(region, birth, serial, "female")


def _public(api: Api) -> None:
    api.call("GET", "/api/v1/health", role=None, status=200)
    api.call("POST", "/api/v1/quote", role=None, status=200, json={
        "region": "450202", "coverage_year": 2025, "payment_date": "2024-12-03",
        "covered_years": [2019, 2020], "back_pay_years": [2023, 2024]})
    api.call("POST", "/api/v1/quote", role=None, status=422, json={"region": "450202"})
    for path in ("/api/v1/regions", "/api/v1/rules", "/api/v1/channels",
                 "/api/v1/eligibility-categories", "/api/v1/special-groups",
                 "/api/v1/back-payment-reference", "/api/v1/newborn-preregistration",
                 "/api/v1/policy"):
        api.call("GET", path, role=None, status=200)
    api.call("GET", "/api/v1/contacts", role=None, status=200, params={"region": "450802"})
    api.call("GET", "/api/v1/flexible-employment", role=None, status=200,
             params={"region": "210600", "date": "2025-03-01", "birth_date": "1971-03-01",
                     "sex": "female"})
    api.call("GET", "/api/v1/flexible-employment", role=None, status=200,
             params={"region": "210200", "year": 2025})
    api.call("GET", "/api/v1/flexible-employment", role=None, status=422,
             params={"region": "210600"})
    api.call("GET", "/api/v1/channels/{code}", role=None, status=200,
             path={"code": "tax_hall"})
    api.call("GET", "/api/v1/policy/{name}", role=None, status=200,
             path={"name": "individual_share"})
    api.call("GET", "/api/v1/policy/{name}", role=None, status=200,
             path={"name": "individual_share"}, params={"region": "450202"})
    api.call("POST", "/api/v1/assistance", role=None, status=200,
             json={"region": "450202", "year": 2025, "eligible_costs": "50000.00"})
    api.call("POST", "/api/v1/assistance", role=None, status=200,
             json={"region": "450802", "year": 2021, "eligible_costs": "50000.00"})


def _registry(api: Api) -> dict[str, Any]:
    head = _number(dt.date(1980, 3, 4), 11)
    child = _number(dt.date(2012, 5, 6), 12)
    p = api.call("POST", "/api/v1/persons", role="clerk", status=201, json={
        "id_number": head, "name": "覃秀萍", "region": "450802", "covered_years": [2023, 2024],
        "special_groups": [{"group": "dibao", "valid_from": "2024-01-01",
                            "source": "民政局名单"}]})
    api.call("POST", "/api/v1/persons", role="clerk", status=201,
             json={"id_number": child, "name": "覃小明", "region": "450802"})
    api.call("POST", "/api/v1/persons", role="clerk", status=409,
             json={"id_number": child, "name": "覃小明", "region": "450802"})
    api.call("GET", "/api/v1/persons", status=200)
    api.call("GET", "/api/v1/persons", role="auditor", status=200)
    api.call("GET", "/api/v1/persons/{id_number}", status=200, path={"id_number": head})
    api.call("GET", "/api/v1/persons/{id_number}", status=404,
             path={"id_number": _number(dt.date(1970, 1, 1), 99)})
    api.call("PATCH", "/api/v1/persons/{id_number}", role="clerk", status=200,
             path={"id_number": head}, json={"hukou_region": "450802"})
    api.call("POST", "/api/v1/persons/{id_number}/special-groups", role="clerk", status=201,
             path={"id_number": child}, json={"group": "orphan", "valid_from": "2020-01-01",
                                              "source": "民政局"})
    api.call("GET", "/api/v1/persons/{id_number}/history", status=200,
             path={"id_number": head})
    api.call("POST", "/api/v1/persons/{id_number}/history", role="clerk", status=201,
             path={"id_number": child}, json={"covered_years": [2024], "source": "社保卡记录"})
    change = api.call("POST", "/api/v1/persons/{id_number}/status-changes", role="clerk",
                      status=201, path={"id_number": head},
                      json={"kind": "discharged_veteran", "date": "2024-11-01",
                            "source": "退役证明"})
    api.call("GET", "/api/v1/persons/{id_number}/quote", status=200,
             path={"id_number": head}, params={"coverage_year": 2025,
                                                "payment_date": "2024-11-20"})
    api.call("GET", "/api/v1/persons/{id_number}/status-changes", status=200,
             path={"id_number": head})
    api.call("POST", "/api/v1/persons/{id_number}/status-changes/{change_id}/withdraw",
             role="clerk", status=200,
             path={"id_number": head, "change_id": change["status_change"]["id"]},
             json={"reason": "登记有误，撤回"})
    api.call("POST", "/api/v1/persons", role="clerk", status=422, json={
        "id_number": _number(dt.date(1981, 3, 4), 14), "name": "覃某", "region": "450802",
        "employee_insurance": True})
    api.call("POST", "/api/v1/auth/token", role=None, status=422,
             data={"username": "no body", "password": "x"})
    api.call("GET", "/api/v1/auth/me", status=200)
    api.call("GET", "/api/v1/persons", role=None, status=401)
    h = api.call("POST", "/api/v1/households", role="clerk", status=201, json={
        "region": "450802", "address": "港北区", "head_id_number": head,
        "member_id_numbers": [head]})
    api.call("POST", "/api/v1/households/{household_id}/members", role="clerk", status=200,
             path={"household_id": h["id"]}, json={"id_number": child})
    api.call("GET", "/api/v1/households", status=200)
    api.call("GET", "/api/v1/households/{household_id}", status=200,
             path={"household_id": h["id"]})
    return {"head": head, "child": child, "person_id": p["id"],
            "membership": p["special_groups"][0]["id"]}


def _payments(api: Api, ids: dict[str, Any]) -> None:
    body = {"id_number": ids["head"], "coverage_year": 2025, "channel": "tax_hall",
            "channel_txn_id": "SHAPES-1", "amount": "400.00", "paid_at": "2024-11-20"}
    first = api.call("POST", "/api/v1/payments", role="clerk", status=201, json=body)
    again = api.call("POST", "/api/v1/payments", role="clerk", status=200, json=body)
    assert again == first  # the replay answers the first answer, to the byte
    api.call("POST", "/api/v1/payments", role="clerk", status=409,
             json={**body, "amount": "380.00"})
    api.call("POST", "/api/v1/payments", role="auditor", status=403, json=body)
    bulk = api.call("POST", "/api/v1/payments/bulk", role="clerk", status=200, json={
        "payments": [body, {**body, "amount": "1.00"}, {**body, "channel_txn_id": "X"[:0]},
                     {**body, "id_number": ids["child"], "channel": "nowhere"},
                     {**body, "id_number": ids["child"], "channel_txn_id": "SHAPES-3"}]})
    assert [r["status"] for r in bulk["results"]] == [
        "replayed", "conflict", "error", "error", "created"]
    pending = api.call("POST", "/api/v1/payments", role="clerk", status=201, json={
        **body, "coverage_year": 2026, "channel_txn_id": "SHAPES-4",
        "paid_at": "2025-12-01"})
    assert pending["payment"]["settlement"] == "unquoted"
    api.call("POST", "/api/v1/payments/settle", status=200)
    pid = first["payment"]["id"]
    api.call("GET", "/api/v1/payments", status=200)
    api.call("GET", "/api/v1/payments/{payment_id}", status=200, path={"payment_id": pid})
    api.call("GET", "/api/v1/persons/{id_number}/payments", status=200,
             path={"id_number": ids["head"]})
    api.call("GET", "/api/v1/persons/{id_number}/enrollments", status=200,
             path={"id_number": ids["head"]})
    reversal = {"kind": "reversal", "reference": "REV-SHAPES-1", "reason": "渠道冲正测试",
                "amount": "100.00"}
    child_payment = bulk["results"][4]["payment"]["id"]
    api.call("POST", "/api/v1/payments/{payment_id}/reversals", role="clerk", status=201,
             path={"payment_id": child_payment}, json=reversal)
    api.call("POST", "/api/v1/payments/{payment_id}/reversals", role="clerk", status=200,
             path={"payment_id": child_payment}, json=reversal)
    asked = api.call("POST", "/api/v1/payments/{payment_id}/reversals", role="clerk",
                     status=202, path={"payment_id": child_payment},
                     json={"kind": "refund", "reference": "REF-SHAPES-1", "reason": "申请退费测试"})
    api.call("GET", "/api/v1/reversals", status=200)
    api.call("POST", "/api/v1/reversals/{reversal_id}/approval", status=200,
             path={"reversal_id": asked["reversal"]["id"]},
             json={"decision": "reject", "note": "渠道未确认"})
    eid = first["enrollment"]["id"]
    api.call("GET", "/api/v1/enrollments", status=200, params={"coverage_year": 2025})
    api.call("GET", "/api/v1/enrollments/{enrollment_id}", status=200,
             path={"enrollment_id": eid})
    api.call("POST", "/api/v1/enrollments/{enrollment_id}/corrections", status=201,
             path={"enrollment_id": eid},
             json={"reason": "补录等待期更正", "waiting_fixed": 0, "waiting_variable": 0,
                   "benefit_start": "2025-01-01"})
    api.call("GET", "/api/v1/enrollments/{enrollment_id}", status=200,
             path={"enrollment_id": child_payment and eid})
    api.call("GET", "/api/v1/counts", status=200, params={"coverage_year": 2025})
    api.call("GET", "/api/v1/reports/{year}", status=200, path={"year": 2025},
             params={"as_of": "2025-03-01"})
    api.call("GET", "/api/v1/reports/{year}", status=422, path={"year": 1990})


def _records(api: Api, ids: dict[str, Any]) -> None:
    pid = ids["person_id"]
    api.call("GET", "/api/v1/person-records", status=200, params={"q": "覃"})
    api.call("GET", "/api/v1/person-records/{person_id}", status=200, path={"person_id": pid})
    api.call("GET", "/api/v1/person-records/{person_id}", role="clerk", status=200,
             path={"person_id": pid})
    api.call("POST", "/api/v1/person-records/{person_id}/special-groups", role="clerk",
             status=201, path={"person_id": pid},
             json={"group": "tekun", "valid_from": "2024-06-01", "source": "民政局名单"})
    api.call("PATCH", "/api/v1/person-records/{person_id}/special-groups/{membership_id}",
             role="clerk", status=200,
             path={"person_id": pid, "membership_id": ids["membership"]},
             json={"valid_to": "2024-12-31"})
    api.call("POST", "/api/v1/person-records/{person_id}/history", role="clerk", status=201,
             path={"person_id": pid}, json={"covered_years": [2022], "source": "纸质档案"})


def _newborns_and_applications(api: Api, ids: dict[str, Any]) -> None:
    born = TODAY - dt.timedelta(days=20)
    reg = api.call("POST", "/api/v1/pre-registrations", role="clerk", status=201, json={
        "newborn_name": "韦小宝", "birth_date": born.isoformat(), "sex": "female",
        "region": "450802", "birth_hospital": "贵港市人民医院",
        "parent_id_number": ids["head"], "parent_name": "覃秀萍"})
    api.call("GET", "/api/v1/pre-registrations", status=200)
    api.call("POST", "/api/v1/payments", role="clerk", status=201, json={
        "pre_registration_id": reg["id"], "coverage_year": TODAY.year,
        "channel": "tax12366_wechat", "channel_txn_id": "SHAPES-NEWBORN", "amount": "400.00",
        "paid_at": TODAY.isoformat()})
    due = api.call("GET", "/api/v1/pre-registrations/conversion-due", status=200)
    assert [d["pre_registration"]["id"] for d in due["items"]] == [reg["id"]]
    api.call("GET", "/api/v1/pre-registrations/{reg_id}", status=200,
             path={"reg_id": reg["id"]})
    api.call("POST", "/api/v1/pre-registrations/{reg_id}/convert", role="clerk", status=200,
             path={"reg_id": reg["id"]}, json={"id_number": _number(born, 13)})
    app = api.call("POST", "/api/v1/back-payment-applications", role="clerk", status=201,
                   json={"id_number": ids["head"], "type": "veteran",
                         "submitted_via": "window", "years": [2021, 2022],
                         "materials": {"back_payment_form": True}})
    api.call("GET", "/api/v1/back-payment-applications", status=200)
    api.call("GET", "/api/v1/back-payment-applications/{app_id}", status=200,
             path={"app_id": app["id"]})
    api.call("POST", "/api/v1/back-payment-applications/{app_id}/decision", status=200,
             path={"app_id": app["id"]}, json={"decision": "rejected", "reason": "材料不全"})


def _reconciliation(api: Api) -> None:
    from yibao.operations.reconcile.store import save_run

    run_id = save_run(api.db, Actor("system", "admin"), {
        "channel": "tax_hall", "file_name": "tax_hall-2025.csv", "file_digest": "0" * 64,
        "year_from": 2025, "year_to": 2025, "import_missing": False,
        "counts": {"lines": 2, "matched": 1, "amount_differences": 1,
                   "statement_fen": 80000, "ledger_fen": 79000}}, [
        {"category": "amount_difference", "line": 2, "channel_txn_id": "SHAPES-1",
         "id_number_masked": "450802********0011", "person_id": 1, "coverage_year": 2025,
         "statement_fen": 41000, "ledger_fen": 40000, "payment_id": 1, "outcome": None}])
    api.call("GET", "/api/v1/reconciliations", role="auditor", status=200)
    api.call("GET", "/api/v1/reconciliations/{run_id}", status=200, path={"run_id": run_id})


def _api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """Every API route with its full path (FastAPI keeps included routers as their own
    route objects: walk them through their contexts)."""
    out = [(c.path_format, c.route) for c in iter_route_contexts(app.routes)
           if isinstance(c.route, APIRoute) and c.path.startswith("/api/")]
    assert len(out) > 40, f"only {len(out)} API routes found: the walk misses routers"
    return out


def test_every_answer_is_declared_key_by_key(api: Api) -> None:
    _public(api)
    ids = _registry(api)
    _payments(api, ids)
    _records(api, ids)
    _newborns_and_applications(api, ids)
    _reconciliation(api)
    api.call("GET", "/api/v1/audit", role="auditor", status=200)
    api.call("GET", "/api/v1/audit", role="clerk", status=403)
    api.call("POST", "/api/v1/auth/token", role=None, status=200,
             data={"username": "s-clerk", "password": PASSWORD})
    api.call("POST", "/api/v1/auth/logout", role="leaver", status=204)
    api.call("POST", "/api/v1/auth/password", role="auditor", status=204,
             json={"current_password": PASSWORD, "new_password": "shapes-new-pass-42"})
    routes = {(m.lower(), path) for path, r in _api_routes(api.app) for m in r.methods}
    assert routes - api.called == set(), "routes without a representative call"


# --- every route declares its shapes, and no shape takes undeclared keys ----------------

def _models(tp: Any, seen: set[type[BaseModel]]) -> None:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp in seen:
            return
        seen.add(tp)
        for f in tp.model_fields.values():
            _models(f.annotation, seen)
        return
    for arg in getattr(tp, "__args__", ()):
        _models(arg, seen)


def test_every_route_declares_its_shapes_and_no_shape_allows_other_keys(api: Api) -> None:
    models: set[type[BaseModel]] = set()
    for path, route in _api_routes(api.app):
        name = f"{sorted(route.methods)} {path}"
        if route.status_code == 204:
            assert route.response_model is None and route.response_class.__name__ == "Response"
        else:
            assert route.response_model is not None, f"{name}: no response model"
            _models(route.response_model, models)
        for status, extra in route.responses.items():
            assert "model" in extra, f"{name}: {status} without a model"
            if int(status) >= 400:
                assert extra["model"] is ErrorOut, f"{name}: {status} is not the error shape"
            _models(extra["model"], models)
        d = route.dependant
        if d.path_params or d.query_params or d.body_params:
            assert 422 in route.responses, f"{name}: takes input, declares no 422"
    loose = sorted(m.__name__ for m in models if m.model_config.get("extra") != "forbid")
    assert not loose, f"shapes that accept undeclared keys: {loose}"
    for name, schema in api.doc["components"]["schemas"].items():
        if "properties" in schema and name not in ("Body_token_api_v1_auth_token_post",
                                                   "Credentials"):
            assert schema.get("additionalProperties") is False, name
    assert "HTTPValidationError" not in api.doc["components"]["schemas"]


def test_the_quote_is_declared_whole_and_its_money_is_text_of_yuan(api: Api) -> None:
    from yibao.rules.answer_json import QuoteJSON

    hints = get_type_hints(QuoteJSON, include_extras=True)
    quote = api.doc["components"]["schemas"]["Quote"]
    assert set(quote["properties"]) == set(hints)
    assert set(quote["required"]) == {k for k, tp in hints.items()
                                      if get_origin(tp) is not NotRequired}
    money = _resolve(api.doc, quote["properties"]["amount_due"])["anyOf"][0]
    assert money["type"] == "string" and re.fullmatch(money["pattern"], "-280.00")



class StepJSON(TypedDict):
    """The one piece of advice."""

    code: Literal["pay_this_year", "pay_next_year"]
    pay_by: DayText | None
    back_pay_years: NotRequired[list[int]]


class AnswerJSON(TypedDict):
    """An answer with new keys."""

    total_due: YuanText | None
    next_step: StepJSON


def test_a_key_added_to_the_quote_json_is_declared_with_no_other_edit() -> None:
    """What the next keys of the quote (contract §2.1) will look like: a nested object,
    a code, money, a date, a key that may be absent; declared once as a ``TypedDict``."""
    from yibao.services.shapes.quote import shape_of

    shape = shape_of(AnswerJSON)
    answer = {"total_due": "1200.00", "next_step": {"code": "pay_next_year",
                                                    "pay_by": "2026-12-31"}}
    typed: Any = shape.model_validate(answer)
    assert typed.total_due == 120000 and typed.next_step.pay_by == dt.date(2026, 12, 31)
    assert typed.model_dump(mode="json", exclude_unset=True) == answer
    schema = shape.model_json_schema(mode="serialization")
    step = schema["$defs"]["QuoteStep"]
    assert step["required"] == ["code", "pay_by"] and step["additionalProperties"] is False
    with pytest.raises(ValueError, match="extra"):
        shape.model_validate({**answer, "unsaid": 1})
