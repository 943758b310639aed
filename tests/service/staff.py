"""Staff accounts of their own for the tests of scope, four eyes and logins: a fresh
account with a role and a region, its API client, its console session."""

from __future__ import annotations

import itertools
import os
import re
import secrets

import httpx

from yibao.services.staff.users import create_user
from yibao.store.db import Database

from .conftest import Server

PASSWORD = "scope-pass-2468"
GUIGANG, LIUZHOU = "450800", "450200"
GANGBEI, CHENGZHONG = "450802", "450202"  # a county of each
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_addresses = itertools.count(1)


def address() -> str:
    """A client address no other test uses (TEST-NET-3, 203.0.113.0/24 and beyond)."""
    n = next(_addresses) + os.getpid() % 1000 * 64
    return f"203.0.{113 + n // 250 % 100}.{n % 250 + 1}"


def account(server: Server, role: str, region: str | None = None, *,
            password: str = PASSWORD) -> str:
    """A new staff account (its name)."""
    name = f"s-{role}-{secrets.token_hex(3)}"
    db = Database(server.owner_url)
    try:
        create_user(db, name, role, password, region=region)
    finally:
        db.dispose()
    return name


def api(server: Server, name: str, password: str = PASSWORD) -> httpx.Client:
    """An API client logged in as ``name`` (from an address of its own)."""
    r = httpx.post(f"{server.base_url}/api/v1/auth/token", timeout=60,
                   headers={"X-Forwarded-For": address()},
                   data={"username": name, "password": password})
    assert r.status_code == 200, r.text
    return httpx.Client(base_url=server.base_url, timeout=60,
                        headers={"Authorization": f"Bearer {r.json()['access_token']}"})


def console(server: Server, name: str, password: str = PASSWORD) -> tuple[httpx.Client, str]:
    """A logged-in console session (cookies kept, same-site Origin) and its form token."""
    c = httpx.Client(base_url=server.base_url, timeout=60, follow_redirects=False,
                     headers={"Origin": server.base_url, "X-Forwarded-For": address()})
    page = c.get("/clerk/login")
    token = _TOKEN.search(page.text)
    assert token, page.text
    r = c.post("/clerk/login", data={"username": name, "password": password,
                                     "csrf_token": token.group(1), "next": "/clerk"})
    assert r.status_code == 303, r.text
    found = _TOKEN.search(c.get("/clerk/persons").text)
    assert found
    return c, found.group(1)
