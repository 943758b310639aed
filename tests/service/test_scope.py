"""Staff see only their region (contract §6): a clerk of Guigang reads, lists, counts and
changes Guigang's residents and nobody else; for the Guigang accounts a Liuzhou resident
does not exist (404 on every route addressed to them, absent from every list). Masked ID
numbers come with the birth year only.

Issue 16, failures 2 and 4: the demo clerk read both cities with full ID numbers, moved a
Guigang resident to Liuzhou and listed 371 full numbers in one answer; auditors saw
``450205********6762`` beside ``1958-06-30``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner

from yibao.idcard import mask_id_number

from .conftest import Server
from .helpers import assert_error, new_id
from .staff import CHENGZHONG, GANGBEI, GUIGANG, LIUZHOU, account, api, console


@dataclass
class City:
    """A resident of one city with a payment, an enrollment, a household, an application
    and a newborn's pre-registration, registered by a clerk of that city."""

    number: str
    name: str
    person_id: int
    payment_id: int
    enrollment_id: int
    household_id: int
    application_id: int
    prereg_id: int


def _resident(clerk: httpx.Client, region: str) -> City:
    name = "范" + secrets.token_hex(3)
    number = new_id(region)
    made = clerk.post("/api/v1/persons", json={"id_number": number, "name": name,
                                               "region": region, "covered_years": [2023, 2024]})
    assert made.status_code == 201, made.text
    paid = clerk.post("/api/v1/payments", json={
        "id_number": number, "coverage_year": 2025, "channel": "tax_hall",
        "channel_txn_id": f"SC{secrets.token_hex(6)}", "amount": "400.00",
        "paid_at": "2024-11-20"})
    assert paid.status_code == 201, paid.text
    house = clerk.post("/api/v1/households", json={"region": region, "head_id_number": number,
                                                   "member_id_numbers": [number]})
    assert house.status_code == 201, house.text
    app = clerk.post("/api/v1/back-payment-applications", json={
        "id_number": number, "type": "veteran", "submitted_via": "window", "years": [2022],
        "materials": {}})
    assert app.status_code == 201, app.text
    reg = clerk.post("/api/v1/pre-registrations", json={
        "newborn_name": name + "宝", "birth_date": _recent(), "sex": "male", "region": region,
        "birth_hospital": "市妇幼保健院", "parent_id_number": number, "parent_name": name})
    assert reg.status_code == 201, reg.text
    return City(number, name, made.json()["id"], paid.json()["payment"]["id"],
                paid.json()["enrollment"]["id"], house.json()["id"], app.json()["id"],
                reg.json()["id"])


def _recent() -> str:
    import datetime as dt

    from yibao.services.common import today_beijing

    return (today_beijing() - dt.timedelta(days=10)).isoformat()


@dataclass
class Setup:
    gg_clerk: httpx.Client
    gg_admin: httpx.Client
    gg_auditor: httpx.Client
    lz_clerk: httpx.Client
    gg: City
    lz: City
    gg_clerk_name: str


@pytest.fixture(scope="module")
def cities(server: Server) -> Iterator[Setup]:
    gg_clerk_name = account(server, "clerk", GUIGANG)
    clients = [api(server, gg_clerk_name), api(server, account(server, "admin", GUIGANG)),
               api(server, account(server, "auditor", GUIGANG)),
               api(server, account(server, "clerk", LIUZHOU))]
    try:
        gg, lz = _resident(clients[0], GANGBEI), _resident(clients[3], CHENGZHONG)
        yield Setup(*clients, gg, lz, gg_clerk_name)
    finally:
        for c in clients:
            c.close()


def _routes(lz: City) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every route addressed to the Liuzhou resident (or a row of theirs), with a body that
    would be accepted for a resident in scope."""
    n, pid = lz.number, lz.person_id
    group = {"group": "dibao", "valid_from": "2025-01-01", "source": "民政名单"}
    return [
        ("GET", f"/api/v1/persons/{n}", None),
        ("PATCH", f"/api/v1/persons/{n}", {"name": "改名"}),
        ("POST", f"/api/v1/persons/{n}/special-groups", group),
        ("GET", f"/api/v1/persons/{n}/payments", None),
        ("GET", f"/api/v1/persons/{n}/enrollments", None),
        ("GET", f"/api/v1/persons/{n}/history", None),
        ("POST", f"/api/v1/persons/{n}/history", {"covered_years": [2020], "source": "档案"}),
        ("GET", f"/api/v1/persons/{n}/quote?coverage_year=2025&payment_date=2024-11-20", None),
        ("GET", f"/api/v1/person-records/{pid}", None),
        ("POST", f"/api/v1/person-records/{pid}/special-groups", group),
        ("PATCH", f"/api/v1/person-records/{pid}/special-groups/1", {"valid_to": "2025-06-30"}),
        ("POST", f"/api/v1/person-records/{pid}/history", {"covered_years": [2020],
                                                           "source": "档案"}),
        ("GET", f"/api/v1/payments/{lz.payment_id}", None),
        ("POST", f"/api/v1/payments/{lz.payment_id}/reversals",
         {"kind": "reversal", "reference": "SCOPE-1", "reason": "渠道冲正交易"}),
        ("GET", f"/api/v1/enrollments/{lz.enrollment_id}", None),
        ("GET", f"/api/v1/households/{lz.household_id}", None),
        ("GET", f"/api/v1/back-payment-applications/{lz.application_id}", None),
        ("GET", f"/api/v1/pre-registrations/{lz.prereg_id}", None),
        ("POST", f"/api/v1/pre-registrations/{lz.prereg_id}/convert",
         {"id_number": new_id(CHENGZHONG)}),
    ]


_ADMIN_ROUTES = [
    ("POST", "/api/v1/enrollments/{e}/corrections", {"reason": "核实后更正", "recompute": True}),
    ("POST", "/api/v1/back-payment-applications/{a}/decision",
     {"decision": "rejected", "reason": "不符合条件"}),
]


def test_every_route_addressed_to_another_citys_resident_is_404(
        server: Server, cities: Setup) -> None:
    before = server.counts()
    for client in (cities.gg_clerk, cities.gg_admin):
        for method, path, body in _routes(cities.lz):
            r = client.request(method, path, json=body)
            assert r.status_code == 404, (method, path, r.text)
            assert_error(r, 404)
            assert cities.lz.number not in r.text and cities.lz.name not in r.text
    for method, path, body in _ADMIN_ROUTES:
        path = path.format(e=cities.lz.enrollment_id, a=cities.lz.application_id)
        assert_error(cities.gg_admin.request(method, path, json=body), 404)
    assert_error(cities.gg_admin.post(f"/api/v1/households/{cities.lz.household_id}/members",
                                      json={"id_number": cities.gg.number}), 404)
    assert_error(cities.gg_clerk.post(f"/api/v1/households/{cities.gg.household_id}/members",
                                      json={"id_number": cities.lz.number}), 404,
                 "person_not_found")
    after = server.counts()
    assert {k: after[k] - before[k] for k in after if k != "audit_log"} == {
        k: 0 for k in after if k != "audit_log"}
    # the same routes work for the resident's own city
    own = cities.lz_clerk
    for method, path, _body in _routes(cities.lz)[:9]:
        if method == "GET":
            assert own.get(path).status_code == 200, path


def test_the_404_reads_like_an_unknown_person(cities: Setup) -> None:
    unknown = new_id(CHENGZHONG)
    there = cities.gg_clerk.get(f"/api/v1/persons/{cities.lz.number}").json()["error"]
    nowhere = cities.gg_clerk.get(f"/api/v1/persons/{unknown}").json()["error"]
    assert there["code"] == nowhere["code"] == "person_not_found"
    assert there["message_en"].replace(mask_id_number(cities.lz.number), "N") == \
        nowhere["message_en"].replace(mask_id_number(unknown), "N")


def test_lists_searches_counts_and_reports_leave_other_regions_out(cities: Setup) -> None:
    gg, lz, clerk = cities.gg, cities.lz, cities.gg_clerk
    persons = clerk.get("/api/v1/persons", params={"per_page": 500}).json()
    assert persons["items"] and all(p["region"].startswith("4508") for p in persons["items"])
    assert gg.number in {p["id_number"] for p in persons["items"]}
    assert persons["total"] == len(persons["items"]) or persons["total"] > 500
    assert clerk.get("/api/v1/persons", params={"name": lz.name}).json()["total"] == 0
    assert clerk.get("/api/v1/persons", params={"region": LIUZHOU}).json()["total"] == 0
    for q in (lz.name, lz.number, lz.number[6:14]):
        assert clerk.get("/api/v1/person-records", params={"q": q}).json()["total"] == 0, q
    mine = clerk.get("/api/v1/person-records", params={"q": gg.name}).json()
    assert gg.number in {p["id_number"] for p in mine["items"]}  # and the newborn
    for path in ("/api/v1/enrollments", "/api/v1/payments", "/api/v1/back-payment-applications",
                 "/api/v1/pre-registrations", "/api/v1/households", "/api/v1/reversals"):
        items = clerk.get(path, params={"per_page": 500}).json()["items"]
        assert lz.number not in str(items) and lz.name not in str(items), path
        if path == "/api/v1/enrollments":
            assert items and all(i["region"].startswith("4508") for i in items), path
        if path == "/api/v1/payments":  # a newborn registered before its number has none
            assert items and all((i["id_number"] or "4508").startswith("4508")
                                 for i in items), path
    counts = clerk.get("/api/v1/counts").json()
    assert counts["persons"] and all(c["region"].startswith("4508") for c in counts["persons"])
    assert all(e["region"].startswith("4508") for e in counts["enrollments"])
    report = clerk.get("/api/v1/reports/2025").json()
    assert report["region"] == GUIGANG and report["rows"][-1]["code"] == GUIGANG
    assert all(r["code"].startswith("4508") for r in report["rows"])
    assert_error(clerk.get("/api/v1/reports/2025", params={"region": LIUZHOU}), 403,
                 "region_out_of_scope")
    trail = cities.gg_auditor.get("/api/v1/audit", params={"per_page": 500}).json()["items"]
    assert str(lz.person_id) not in {e["entity_id"] for e in trail if e["entity"] == "person"}
    assert lz.name not in str(trail)


def test_writes_cannot_reach_another_region(server: Server, cities: Setup) -> None:
    clerk = cities.gg_clerk
    before = server.counts()
    assert_error(clerk.post("/api/v1/persons", json={"id_number": new_id(CHENGZHONG),
                                                     "name": "越界", "region": CHENGZHONG}),
                 403, "region_out_of_scope")
    moved = clerk.patch(f"/api/v1/persons/{cities.gg.number}", json={"region": CHENGZHONG})
    assert_error(moved, 403, "region_out_of_scope")
    assert clerk.get(f"/api/v1/persons/{cities.gg.number}").json()["region"] == GANGBEI
    pay = {"id_number": cities.lz.number, "coverage_year": 2025, "channel": "tax_hall",
           "channel_txn_id": f"SC{secrets.token_hex(6)}", "amount": "400.00",
           "paid_at": "2024-11-21"}
    assert_error(clerk.post("/api/v1/payments", json=pay), 404, "person_not_found")
    bulk = clerk.post("/api/v1/payments/bulk", json={"payments": [pay]}).json()
    assert bulk["results"][0]["error"]["code"] == "person_not_found"
    assert_error(clerk.post("/api/v1/households", json={"region": CHENGZHONG}), 403,
                 "region_out_of_scope")
    assert_error(clerk.post("/api/v1/pre-registrations", json={
        "newborn_name": "越界宝", "birth_date": _recent(), "sex": "female", "region": CHENGZHONG,
        "birth_hospital": "医院", "parent_id_number": cities.gg.number, "parent_name": "某"}),
        403, "region_out_of_scope")
    after = server.counts()
    assert {k: after[k] - before[k] for k in after if k != "audit_log"} == {
        k: 0 for k in after if k != "audit_log"}


def test_the_console_follows_the_scope(server: Server, cities: Setup) -> None:
    c, token = console(server, cities.gg_clerk_name)
    with closing(c):
        page = c.get(f"/clerk/persons/{cities.lz.person_id}")
        assert page.status_code == 404 and cities.lz.name not in page.text
        assert c.get(f"/clerk/persons/{cities.gg.person_id}").status_code == 200
        found = c.post("/clerk/persons", data={"q": cities.lz.name, "csrf_token": token})
        assert f"/clerk/persons/{cities.lz.person_id}\"" not in found.text
        assert cities.lz.number not in found.text
        form = c.get(f"/clerk/payments/new?person={cities.lz.person_id}")
        assert cities.lz.number not in form.text
        # the year of this module's rows: other modules' rows on the same server may give
        # the board's default year other Guigang counties only
        board = c.get("/clerk?year=2025").text
        assert "城中区" not in board and "港北区" in board
        assert "城中区" not in c.get("/clerk").text


def test_masked_numbers_come_with_the_birth_year_only(server: Server, cities: Setup,
                                                      auditor: httpx.Client) -> None:
    gg = cities.gg
    born = f"{gg.number[6:10]}-{gg.number[10:12]}-{gg.number[12:14]}"
    answers = [
        cities.gg_auditor.get(f"/api/v1/persons/{gg.number}").json(),
        cities.gg_auditor.get("/api/v1/persons", params={"per_page": 500}).json(),
        cities.gg_auditor.get(f"/api/v1/person-records/{gg.person_id}").json(),
        cities.gg_auditor.get("/api/v1/pre-registrations").json(),
        auditor.get("/api/v1/persons", params={"per_page": 500}).json(),
    ]
    for answer in answers:
        text = str(answer)
        assert gg.number not in text and born not in text
    one = answers[0]
    assert one["id_number"] == mask_id_number(gg.number) and one["birth_date"] is None
    assert one["birth_year"] == int(gg.number[6:10])
    rows = answers[4]["items"]
    assert rows and all(p["birth_date"] is None for p in rows if p["id_number_masked"])
    full = cities.gg_clerk.get(f"/api/v1/persons/{gg.number}").json()
    assert full["birth_date"] == born and full["id_number"] == gg.number
    name = account(server, "auditor", GUIGANG)
    c, token = console(server, name)
    with closing(c):
        table = c.post("/clerk/persons", data={"q": gg.name, "csrf_token": token}).text
        assert mask_id_number(gg.number) in table and born not in table
        assert not re.search(re.escape(gg.number[:6]) + r"\d{8}", table)
        page = c.get(f"/clerk/persons/{gg.person_id}").text
        assert born not in page and gg.number not in page


def test_user_add_says_the_scope(server: Server, cli: typer.Typer) -> None:
    runner = CliRunner()
    name = f"s-cli-{secrets.token_hex(3)}"
    done = runner.invoke(cli, ["user", "add", name, "--role", "clerk", "--region", GUIGANG,
                               "--password-stdin"], input="scope-cli-pass-97\n")
    assert done.exit_code == 0, done.output
    assert "450800" in done.output and "贵港" in done.output
    wide = runner.invoke(cli, ["user", "add", name + "w", "--role", "admin", "--password-stdin"],
                         input="scope-cli-pass-97\n")
    assert wide.exit_code == 0 and "province-wide" in wide.output and "全省" in wide.output
    bad = runner.invoke(cli, ["user", "add", name + "x", "--role", "clerk", "--region", "999999",
                              "--password-stdin"], input="scope-cli-pass-97\n")
    assert bad.exit_code == 2 and "999999" in bad.output
    me = api(server, name, "scope-cli-pass-97")
    with closing(me):
        assert me.get("/api/v1/auth/me").json()["region"] == GUIGANG


def test_the_demo_has_a_clerk_per_city(server: Server, cli: typer.Typer) -> None:
    runner = CliRunner()
    loaded = runner.invoke(cli, ["demo", "load"])
    assert loaded.exit_code == 0, loaded.output
    for user, scope in (("demo-clerk-guigang", "450800"), ("demo-clerk-liuzhou", "450200"),
                        ("demo-admin", "450000")):
        assert re.search(user + r"\s+password: .*\n\s+scope: .*" + scope, loaded.output), user
    assert "demo-auditor" in loaded.output and "province-wide" in loaded.output
    reset = runner.invoke(cli, ["user", "reset-password", "demo-clerk-guigang",
                                "--password-stdin"], input="scope-demo-pass-31\n")
    assert reset.exit_code == 0, reset.output
    with closing(api(server, "demo-clerk-guigang", "scope-demo-pass-31")) as clerk:
        listed = clerk.get("/api/v1/persons", params={"per_page": 500}).json()
        regions = {p["region"] for p in listed["items"]}
        assert listed["total"] > 50 and all(r.startswith("4508") for r in regions)
        liuzhou = runner.invoke(cli, ["user", "reset-password", "demo-clerk-liuzhou",
                                      "--password-stdin"], input="scope-demo-pass-31\n")
        assert liuzhou.exit_code == 0
        with closing(api(server, "demo-clerk-liuzhou", "scope-demo-pass-31")) as other:
            theirs = next(p for p in other.get("/api/v1/persons", params={"per_page": 50})
                          .json()["items"] if p["id_number"])
            assert theirs["region"].startswith("4502")
            assert_error(clerk.get(f"/api/v1/persons/{theirs['id_number']}"), 404)
            assert_error(clerk.patch(f"/api/v1/persons/{theirs['id_number']}",
                                     json={"region": GANGBEI}), 404)
