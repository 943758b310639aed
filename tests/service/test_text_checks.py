"""Text as stored is text as shown: names trimmed and never empty; no control, bidi,
zero-width or other invisible characters in any text; a JSON key given twice is refused;
search wildcards are literal; the SQLite files are the owner's only; ID numbers never
reach a log, however they are typed.

Issue 16, failures 8 and 10: names of spaces (or U+3000) stored empty; C1 controls, bidi
overrides and zero-width characters accepted in names; duplicate JSON keys accepted
(last wins); ``name=%_%`` matched 472 of 476 people; the SQLite file and its WAL 0644;
``GET /api/v1/persons/450204 19670704 702X`` (dashes, full-width digits) logged in full.
"""

from __future__ import annotations

import re
import secrets
import stat
import time
import unicodedata
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from .conftest import Server
from .helpers import assert_error, new_id, register
from .staff import account, console

BLANK = [" ", "\u3000\u3000", "\u00a0", "\t", " \u3000 "]
HIDDEN = ["\u0085", "\u009b", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u2060",
          "\u00ad", "\u061c", "\x00", "\x1b", "\u2028"]


@pytest.mark.parametrize("name", BLANK)
def test_a_blank_name_is_refused_never_stored_empty(server: Server, clerk: httpx.Client,
                                                    name: str) -> None:
    before = server.counts()
    err = assert_error(clerk.post("/api/v1/persons", json={
        "id_number": new_id(), "name": name, "region": "450802"}), 422, "invalid_value")
    assert err["field"] == "name" and "空" in err["message"]
    number = register(clerk, name=" 韦 秀梅\u3000")
    assert clerk.get(f"/api/v1/persons/{number}").json()["name"] == "韦 秀梅"  # trimmed
    assert_error(clerk.patch(f"/api/v1/persons/{number}", json={"name": name}), 422)
    assert_error(clerk.post("/api/v1/pre-registrations", json={
        "newborn_name": name, "birth_date": "2026-11-20", "sex": "male", "region": "450802",
        "birth_hospital": "医院", "parent_id_number": number, "parent_name": "韦秀梅"}), 422)
    after = server.counts()
    assert after["persons"] == before["persons"] + 1


@pytest.mark.parametrize("char", HIDDEN)
def test_hidden_characters_are_refused_in_every_text(clerk: httpx.Client, admin: httpx.Client,
                                                     char: str) -> None:
    number = register(clerk)
    for body, path in (
        ({"id_number": new_id(), "name": f"韦{char}秀梅", "region": "450802"}, "/api/v1/persons"),
        ({"region": "450802", "address": f"港北区{char}1号"}, "/api/v1/households"),
        ({"group": "dibao", "valid_from": "2025-01-01", "source": f"民政{char}名单"},
         f"/api/v1/persons/{number}/special-groups"),
        ({"covered_years": [2020], "source": f"档案{char}"}, f"/api/v1/persons/{number}/history"),
    ):
        assert_error(clerk.post(path, json=body), 422, "invalid_value")
    assert_error(clerk.patch(f"/api/v1/persons/{number}", json={"name": f"韦{char}"}), 422)
    r = clerk.get("/api/v1/persons", params={"name": f"韦{char}"})
    assert_error(r, 422)


def test_the_console_refuses_them_beside_the_field(server: Server) -> None:
    c, token = console(server, account(server, "clerk"))
    with closing(c):
        for name in ("\u3000", "韦\u202e秀梅"):
            r = c.post("/clerk/persons/new", data={"csrf_token": token, "id_number": new_id(),
                                                   "name": name, "region": "450802"})
            assert r.status_code == 422 and 'id="err-name"' in r.text, r.text[:200]


BODIES = [
    ("/api/v1/persons", b'{"id_number": "%s", "name": "a", "name": "b", "region": "450802"}'),
    ("/api/v1/quote", b'{"region": "450802", "coverage_year": 2025, "coverage_year": 2026, '
                      b'"payment_date": "2024-12-01", "birth_date": "1980-01-01"}'),
    ("/api/v1/payments/bulk", b'{"payments": [{"id_number": "%s", "amount": "1.00", '
                              b'"amount": "400.00"}]}'),
]


@pytest.mark.parametrize(("path", "body"), BODIES)
def test_a_key_given_twice_is_refused(server: Server, clerk: httpx.Client, path: str,
                                      body: bytes) -> None:
    before = server.counts()
    if b"%s" in body:
        body = body % new_id().encode()
    r = clerk.post(path, content=body, headers={"Content-Type": "application/json"})
    err = assert_error(r, 422, "duplicate_key")
    assert err["field"] in ("name", "coverage_year", "amount")
    assert server.counts() == before


def test_search_wildcards_are_literal(clerk: httpx.Client) -> None:
    odd = register(clerk, name="韦%_%明")
    register(clerk, name="韦大明")
    found = clerk.get("/api/v1/persons", params={"name": "%_%", "per_page": 500}).json()
    assert [p["id_number"] for p in found["items"]] == [odd]
    assert clerk.get("/api/v1/persons", params={"name": "_"}).json()["total"] == 1
    assert clerk.get("/api/v1/person-records", params={"q": "%"}).json()["total"] == 1
    assert clerk.get("/api/v1/person-records", params={"q": "4508%"}).json()["total"] == 0


def test_the_sqlite_files_are_the_owners_only(server: Server, clerk: httpx.Client) -> None:
    if server.backend != "sqlite":
        pytest.skip("SQLite files only")
    register(clerk)  # the WAL is written
    path = Path(str(make_url(server.db_url).database))
    files = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
    assert len(files) == 3
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, (p, oct(p.stat().st_mode))


def test_id_numbers_are_masked_in_the_log_however_typed(server: Server,
                                                        clerk: httpx.Client) -> None:
    number = new_id("450204")[:17] + "X"
    number = number if _valid(number) else new_id("450204")
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    forms = [spaced, "-".join((number[:6], number[6:14], number[14:])),
             unicodedata.normalize("NFKC", number).translate(
                 {ord(d): ord(d) + 0xFEE0 for d in "0123456789X"}),
             number.lower(), number[:6] + "." + number[6:]]
    for shown in forms:
        clerk.get(f"/api/v1/persons/{shown}")
        clerk.get(f"/api/v1/persons/{shown}/payments")
    assert server.log is not None
    sentinel = f"/api/v1/after-the-forms-{secrets.token_hex(4)}"
    assert clerk.get(sentinel).status_code == 404
    deadline = time.monotonic() + 30  # the server writes its log lines after answering
    while True:
        text = unicodedata.normalize("NFKC", server.log.read_text(encoding="utf-8"))
        if sentinel in text or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    time.sleep(0.2)  # and the lines of the requests before it
    text = unicodedata.normalize("NFKC", server.log.read_text(encoding="utf-8"))
    flat = re.sub(r"[\s\-._/·]", "", text).upper()
    assert number[6:14] not in flat.replace(number[:6] + "********", "")
    assert f"{number[:6]}********{number[14:]}" in text


def _valid(number: str) -> bool:
    from yibao.idcard import parse_id_number

    try:
        parse_id_number(number)
    except Exception:
        return False
    return True
