"""The clerk console against forgery, and the headers every response carries.

A browser elsewhere that carries the clerk's cookie (a forged form, ``Origin`` of another
site or ``null``, or no token) registers no one and records no payment.
"""

from __future__ import annotations

import re
import secrets
from contextlib import closing
from typing import Any

import httpx
import pytest

from yibao.services.staff.users import create_user
from yibao.store.db import Database

from .conftest import PASSWORDS, Server
from .helpers import new_id

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _console(server: Server, user: str = "t-clerk",
             password: str = PASSWORDS["clerk"]) -> tuple[httpx.Client, str]:
    """A logged-in console session (cookies kept) and the token of its forms."""
    c = httpx.Client(base_url=server.base_url, timeout=30, follow_redirects=False)
    page = c.get("/clerk/login")
    token = _TOKEN.search(page.text)
    assert token, page.text
    r = c.post("/clerk/login", data={"username": user, "password": password,
                                     "csrf_token": token.group(1), "next": "/clerk"})
    assert r.status_code == 303, r.text
    form = c.get("/clerk/persons/new")
    found = _TOKEN.search(form.text)
    assert found
    return c, found.group(1)


def _person(token: str | None) -> dict[str, Any]:
    body = {"id_number": new_id(), "name": "韦秀梅", "region": "450802", "history": "unknown"}
    return {**body, "csrf_token": token} if token is not None else body


FORGED = [
    ({"Origin": "https://evil.example"}, True),
    ({"Origin": "null"}, True),
    ({"Referer": "https://evil.example/page"}, True),
    ({}, False),  # same site, but no token in the form
    ({"Origin": "https://evil.example"}, False),
]


@pytest.mark.parametrize(("headers", "with_token"), FORGED)
def test_forged_console_posts_write_nothing(
    server: Server, headers: dict[str, str], with_token: bool
) -> None:
    c, token = _console(server)
    before = server.counts()
    with closing(c):
        r = c.post("/clerk/persons/new", data=_person(token if with_token else None),
                   headers=headers)
        assert r.status_code == 403 and "无法提交" in r.text
        pay = {"id_number": new_id(), "coverage_year": "2025", "channel": "tax_hall",
               "channel_txn_id": "CSRF-1", "amount": "400.00", "paid_at": "2024-11-20"}
        if with_token:
            pay["csrf_token"] = token
        r = c.post("/clerk/payments/new", data=pay, headers=headers)
        assert r.status_code == 403
        assert c.post("/clerk/logout", headers=headers).status_code == 403
    assert server.counts() == before


def test_a_token_from_another_session_is_worthless(server: Server) -> None:
    first, token = _console(server)
    second, _ = _console(server)
    before = server.counts()
    with closing(first), closing(second):
        r = second.post("/clerk/persons/new", data=_person(token))
        assert r.status_code == 403
    assert server.counts() == before


def test_the_console_works_with_its_own_token_and_logout_revokes(server: Server) -> None:
    name = f"csrf-{secrets.token_hex(4)}"  # logging out revokes every token of the account
    db = Database(server.owner_url)
    try:
        create_user(db, name, "clerk", "console-pass-1")
    finally:
        db.dispose()
    c, token = _console(server, name, "console-pass-1")
    with closing(c):
        here = {"Origin": server.base_url}
        r = c.post("/clerk/persons/new", data=_person(token), headers=here)
        assert r.status_code == 303 and "done=registered" in r.headers["location"]
        staff = c.cookies["yibao_staff"]
        assert c.post("/clerk/logout", data={"csrf_token": token}).status_code == 303
    r = httpx.get(f"{server.base_url}/api/v1/auth/me",
                  headers={"Authorization": f"Bearer {staff}"})
    assert r.status_code == 401  # the cookie's token was revoked on the server


PAGES = ["/", "/plan", "/pay", "/clerk/login", "/docs", "/redoc", "/api/v1/regions",
         "/api/v1/persons", "/openapi.json", "/static/yibao.css", "/nowhere"]


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_response(anon: httpx.Client, path: str) -> None:
    r = anon.get(path)
    h = r.headers
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "same-origin"
    csp = h["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[-1].split(";")[0]
    if path.startswith("/static/"):
        assert "max-age" in h["cache-control"]
    else:
        assert h["cache-control"] == "no-store"
    assert "strict-transport-security" not in h  # plain HTTP here


def test_hsts_behind_a_tls_proxy_and_docs_offline(anon: httpx.Client) -> None:
    r = anon.get("/clerk/login", headers={"X-Forwarded-Proto": "https"})
    assert r.headers["strict-transport-security"].startswith("max-age=")
    assert "Secure" in r.headers["set-cookie"]
    docs = anon.get("/docs").text + anon.get("/redoc").text
    assert "<script>" not in docs and "cdn" not in docs.lower() and "http" not in docs
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css",
                  "/docs/redoc.standalone.js", "/docs/init/swagger-init.js"):
        assert anon.get(asset).status_code == 200, asset
