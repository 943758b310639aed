"""Registering and reading residents; masking; audit of full-ID reads; bad input."""

from __future__ import annotations

import httpx
import pytest

from .conftest import Server
from .helpers import assert_error, new_id, register


def test_register_read_and_mask(
    server: Server, clerk: httpx.Client, auditor: httpx.Client, admin: httpx.Client
) -> None:
    number = new_id("450802")
    r = clerk.post(
        "/api/v1/persons",
        json={
            "id_number": number,
            "name": "韦小宝",
            "region": "450802",
            "residence_permit": True,
            "eligibility_category": "resident_hukou",
            "special_groups": [{"group": "dibao", "valid_from": "2020-01-01", "source": "民政局"}],
        },
    )
    assert r.status_code == 201, r.text
    person = r.json()
    assert (
        person["id_number"] == number
        and person["birth_date"] == f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    )
    assert person["special_groups"][0]["group"] == "dibao"
    assert_error(
        clerk.post(
            "/api/v1/persons", json={"id_number": number, "name": "韦小宝", "region": "450802"}
        ),
        409,
        "person_exists",
    )

    seen = auditor.get(f"/api/v1/persons/{number}").json()
    assert seen["id_number"] == f"{number[:6]}********{number[-4:]}"
    assert seen["id_number_masked"] is True
    assert admin.get(f"/api/v1/persons/{number}").json()["id_number"] == number

    reads = admin.get(
        "/api/v1/audit", params={"action": "read_id_number", "entity_id": str(person["id"])}
    ).json()
    actors = {e["actor"] for e in reads["items"]}
    assert {"t-clerk", "t-admin"} <= actors and "t-auditor" not in actors
    for entry in admin.get("/api/v1/audit", params={"per_page": 200}).json()["items"]:
        assert number not in str(entry), "the audit log must not hold full ID numbers"


def test_update_is_audited_with_before_after(
    server: Server, clerk: httpx.Client, admin: httpx.Client
) -> None:
    number = register(clerk)
    r = clerk.patch(f"/api/v1/persons/{number}", json={"name": "新名字", "region": "450803"})
    assert r.status_code == 200 and r.json()["region"] == "450803"
    pid = str(r.json()["id"])
    log = admin.get(
        "/api/v1/audit", params={"entity": "person", "entity_id": pid, "action": "update"}
    ).json()["items"]
    assert log[0]["before"]["name"] == "测试" and log[0]["after"]["name"] == "新名字"


def test_list_paginates(server: Server, clerk: httpx.Client) -> None:
    for _ in range(3):
        register(clerk)
    page = clerk.get("/api/v1/persons", params={"per_page": 2, "page": 1}).json()
    assert len(page["items"]) == 2 and page["total"] >= 3
    page2 = clerk.get("/api/v1/persons", params={"per_page": 2, "page": 2}).json()
    assert {p["id"] for p in page["items"]}.isdisjoint({p["id"] for p in page2["items"]})


BAD_PERSONS = [
    (
        {"id_number": "450802198001010010", "name": "x", "region": "450802"},
        422,
        "id_number_checksum",
    ),
    (
        {"id_number": "45080219800230001X", "name": "x", "region": "450802"},
        422,
        "id_number_birth_date",
    ),
    ({"id_number": "4508021980", "name": "x", "region": "450802"}, 422, "id_number_length"),
    ({"id_number": "@ID", "name": "x", "region": "999999"}, 422, "unknown_region"),
    ({"id_number": "@ID", "name": "x", "region": "450802", "colour": "red"}, 422, "unknown_key"),
    (
        {"id_number": "@ID", "name": "x", "region": "450802", "birth_date": "2001-02-30"},
        422,
        "invalid_date",
    ),
    ({"id_number": "@ID", "name": "", "region": "450802"}, 422, None),
    ({"id_number": "@ID", "region": "450802"}, 422, "missing_field"),
    (
        {"id_number": "@ID", "name": "x", "region": "450802", "eligibility_category": "alien"},
        422,
        "unknown_eligibility_category",
    ),
    (
        {
            "id_number": "@ID",
            "name": "x",
            "region": "450802",
            "special_groups": [{"group": "royalty", "valid_from": "2020-01-01", "source": "s"}],
        },
        422,
        "unknown_special_group",
    ),
]


@pytest.mark.parametrize(("body", "status", "code"), BAD_PERSONS)
def test_bad_person_input_writes_nothing(
    server: Server, clerk: httpx.Client, body: dict[str, object], status: int, code: str | None
) -> None:
    body = {k: (new_id() if v == "@ID" else v) for k, v in body.items()}
    before = server.counts()
    assert_error(clerk.post("/api/v1/persons", json=body), status, code)
    assert server.counts() == before


def test_oversized_and_malformed_bodies(server: Server, clerk: httpx.Client) -> None:
    before = server.counts()
    big = b'{"id_number": "' + b"1" * 200_000 + b'"}'
    assert_error(
        clerk.post("/api/v1/persons", content=big, headers={"content-type": "application/json"}),
        413,
        "body_too_large",
    )

    def chunks():  # streamed without Content-Length
        for _ in range(100):
            yield b" " * 4096

    assert_error(
        clerk.post(
            "/api/v1/persons", content=chunks(), headers={"content-type": "application/json"}
        ),
        413,
    )
    assert_error(
        clerk.post(
            "/api/v1/persons", content=b"{not json", headers={"content-type": "application/json"}
        ),
        422,
        "invalid_json",
    )
    assert_error(clerk.get("/api/v1/persons/450802198001010010"), 422)
    assert_error(clerk.get(f"/api/v1/persons/{new_id()}"), 404, "person_not_found")
    assert server.counts() == before
