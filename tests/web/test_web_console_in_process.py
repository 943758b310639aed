"""The clerk console calls the use cases in process: a console page reaches no ``/api/``
route of its own server, checks its token once, shows refusals beside the fields in the
API's words, and formats money only in the template (the counts it adds are ints).

The app runs in process (no browser needed) on a fresh SQLite registry; every request
that reaches the application is recorded by an outermost middleware, so an HTTP call of
the console to its own API would be seen there.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from yibao.idcard import make_id_number
from yibao.server import create_app
from yibao.services.staff.users import create_user
from yibao.settings import Settings
from yibao.store.db import Database
from yibao.store.migrate import upgrade

PASSWORD = "console-pass-1"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Console:
    client: TestClient
    db: Database
    paths: list[str] = field(default_factory=list)
    token_checks: int = 0

    def form_token(self, path: str) -> str:
        found = _CSRF.search(self.client.get(path).text)
        assert found, path
        return found.group(1)

    def page(self, method: str, path: str, **kwargs: Any) -> Any:
        """The response, with the requests and token checks it caused."""
        self.paths.clear()
        self.token_checks = 0
        return self.client.request(method, path, **kwargs)


class _Seen:
    """Outermost: the path of every request that reaches the application."""

    def __init__(self, app: ASGIApp, seen: list[str]) -> None:
        self.app, self.seen = app, seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.seen.append(str(scope["path"]))
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    url = f"sqlite:///{tmp_path_factory.mktemp('console') / 'yibao.sqlite3'}"
    upgrade(url)
    db = Database(url)
    create_user(db, "c-clerk", "clerk", PASSWORD)
    create_user(db, "c-auditor", "auditor", PASSWORD)
    app = create_app(Settings(database_url=url, secret_key=secrets.token_urlsafe(48)), db=db)
    paths: list[str] = []
    app.add_middleware(_Seen, seen=paths)
    with TestClient(app, follow_redirects=False) as client:
        out = Console(client, db, paths)
        checker = app.state.token_checker
        check = checker.actor

        async def counted(*args: Any, **kwargs: Any) -> Any:
            out.token_checks += 1
            return await check(*args, **kwargs)

        checker.actor = counted
        token = out.form_token("/clerk/login")
        r = client.post("/clerk/login", data={"username": "c-clerk", "password": PASSWORD,
                                              "csrf_token": token, "next": "/clerk"})
        assert r.status_code == 303, r.text
        yield out
    db.dispose()


def test_console_pages_reach_no_api_route_and_check_the_token_once(console: Console) -> None:
    number = make_id_number("450802", dt.date(1979, 4, 5), 31, "female")
    token = console.form_token("/clerk/persons/new")
    r = console.page("POST", "/clerk/persons/new", data={
        "id_number": number, "name": "黄丽", "region": "450802", "history": "years",
        "covered_years": "2023, 2024", "csrf_token": token})
    assert r.status_code == 303 and "done=registered" in r.headers["location"]
    assert console.paths == ["/clerk/persons/new"] and console.token_checks == 1
    person = r.headers["location"].split("?")[0]
    token = console.form_token("/clerk/payments/new")
    r = console.page("POST", "/clerk/payments/new", data={
        "id_number": number, "coverage_year": "2025", "channel": "tax_hall",
        "channel_txn_id": "CONSOLE-1", "amount": "400.00", "paid_at": "2024-11-20",
        "csrf_token": token})
    assert r.status_code == 200 and 'id="payment-done"' in r.text, r.text
    assert "¥400.00" in r.text
    assert console.paths == ["/clerk/payments/new"] and console.token_checks == 1
    pages = [person, "/clerk", "/clerk/persons", f"/clerk/payments/new?person={person[15:]}",
             "/clerk/preregistrations", "/clerk/applications", "/clerk/audit",
             "/clerk/reconciliations", "/clerk/reports?year=2025",
             "/clerk/reports.csv?year=2025", "/clerk/households/new"]
    for path in pages:
        r = console.page("GET", path)
        assert r.status_code in (200, 403), (path, r.status_code)
        assert console.paths == [path.split("?")[0]], (path, console.paths)
        assert console.token_checks == 1, (path, console.token_checks)


def test_the_dashboard_adds_counts_and_fen_and_formats_only_in_the_page(
        console: Console) -> None:
    from yibao.services.common import Actor
    from yibao.web.console import Staff
    from yibao.web.dashboard import build_dashboard

    number = make_id_number("450802", dt.date(1981, 6, 7), 41, "male")
    token = console.form_token("/clerk/persons/new")
    assert console.page("POST", "/clerk/persons/new", data={
        "id_number": number, "name": "韦强", "region": "450802", "history": "unknown",
        "csrf_token": token}).status_code == 303
    token = console.form_token("/clerk/payments/new")
    assert console.page("POST", "/clerk/payments/new", data={
        "id_number": number, "coverage_year": "2025", "channel": "tax_hall",
        "channel_txn_id": "CONSOLE-DASH", "amount": "400.00", "paid_at": "2024-11-21",
        "csrf_token": token}).status_code == 200
    who = Staff(Actor("c-clerk", "clerk"), console.db)
    with ThreadPoolExecutor(1) as pool:  # its own event loop (a browser test may run one here)
        board = pool.submit(anyio.run, build_dashboard, who, 2025).result()
    assert isinstance(board.paid_fen, int) and isinstance(board.payments, int)
    assert board.paid_fen == sum(r.paid_fen for r in board.rows) >= 40000
    page = console.page("GET", "/clerk?year=2025").text
    assert f"¥{board.paid_fen // 100}.{board.paid_fen % 100:02d}" in page


def test_refusals_show_beside_their_fields_in_the_apis_words(console: Console) -> None:
    token = console.form_token("/clerk/persons/new")
    r = console.page("POST", "/clerk/persons/new", data={
        "id_number": "450802197904050000", "name": "黄丽", "region": "450802",
        "history": "unknown", "csrf_token": token})
    assert r.status_code == 422
    assert 'id="err-id_number"' in r.text and "身份证号码" in r.text
    number = make_id_number("450802", dt.date(1983, 8, 9), 51, "female")
    person = {"id_number": number, "name": "黄丽", "region": "450802", "history": "unknown",
              "csrf_token": token}
    assert console.page("POST", "/clerk/persons/new", data=person).status_code == 303
    r = console.page("POST", "/clerk/persons/new", data=person)
    assert r.status_code == 409 and 'id="err-id_number"' in r.text  # already registered
    token = console.form_token("/clerk/payments/new")
    r = console.page("POST", "/clerk/payments/new", data={
        "id_number": number, "coverage_year": "2025", "channel": "tax_hall",
        "channel_txn_id": "CONSOLE-2", "amount": "4OO", "paid_at": "2024-11-20",
        "csrf_token": token})
    assert r.status_code == 422 and 'id="err-amount"' in r.text
    r = console.page("GET", "/clerk/persons/99999999999")
    assert r.status_code == 422 and console.paths == ["/clerk/persons/99999999999"]


def test_an_auditor_is_refused_a_write_as_the_api_refuses_it(console: Console) -> None:
    with TestClient(console.client.app, follow_redirects=False) as auditor:
        page = auditor.get("/clerk/login").text
        found = _CSRF.search(page)
        assert found
        r = auditor.post("/clerk/login", data={"username": "c-auditor", "password": PASSWORD,
                                               "csrf_token": found.group(1), "next": "/clerk"})
        assert r.status_code == 303
        found = _CSRF.search(auditor.get("/clerk/persons").text)
        assert found
        r = auditor.post("/clerk/applications", data={
            "id_number": "", "type": "veteran", "years": "2021", "csrf_token": found.group(1)})
        assert r.status_code == 403
        r = auditor.get("/clerk/audit")
        assert r.status_code == 200 and 'id="audit-table"' in r.text
