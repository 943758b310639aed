"""One answer on every surface (issue 15): for a generated registry of about a hundred
residents covering every case class, the API's answer (``GET /api/v1/persons/{id}/quote``),
the front page ``/``, the look-up ``/lookup``, the planner ``/plan`` (its head and its row
for the same day), the console's person page and the household notice agree on the
amount, the total, the first day of cover, its reason and the next step — on SQLite and
PostgreSQL.

The registry is generated through the API (as a clerk registers people): continuous
cover (some paid for the year in force), lapses of 1 to 5 years, unknown history, never
insured, newborns inside and after the newborn window, fully assisted (特困, 孤儿; some
with the year paid at 0.00 by medical assistance), fixed assistance whose amount is
unpublished (低保), transfers from employee insurance, an underpayment, and a region
(Nanning) whose share for the year being collected is unpublished, in households across
four counties. Guangxi's 2026 share and Guigang's, Liuzhou's and Guilin's for the years
after are published through a policy folder (``YIBAO_POLICY_DIR``), as a bureau would.

Every page of every resident is read as HTML in process (the app of ``yibao serve``); a
sample is read through Chromium from a real server on the same database. The notices are
written by ``yibao renewal``'s run and read back with pypdf. The day is today (Beijing):
the look-up and the console answer for today, so every surface is asked for today.

The end of employee insurance is a fact of a payment, not of the registry: for transfer
residents the front page and the planner are compared with the API's answer given that
date, the look-up, the console and the notice with its answer without it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from yibao.idcard import make_id_number
from yibao.services.common import today_beijing
from yibao.web.plain import zh_punct

from ..province.notice_check import TITLE, page_texts

PASSWORD = "cross-surface-1"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
REGIONS = ("450802", "450202", "450305", "450102")  # Gangbei, Chengzhong, Qixing, Xingning
PUBLISHED_YEARS = ("450200", "450300", "450800")  # Nanning keeps the next years unpublished
#: case class → how many residents
#: (at least one of each class in each county where the class can be)
CLASSES = (("continuous_paid", 12), ("continuous", 10), ("lapsed1", 4), ("lapsed2", 4),
           ("lapsed3", 4), ("lapsed4", 4), ("lapsed5", 4), ("unknown", 8), ("never", 6),
           ("newborn_in", 4), ("newborn_after", 4), ("assisted", 6), ("assisted_paid", 4),
           ("dibao", 4), ("transfer", 4), ("underpaid", 4), ("renewed", 4))
SURNAMES, FIRST, SECOND = "韦覃黄陆蒙莫梁农李陈", "秀志建玉春海丽子金文桂明", "梅强国兰燕波娟涵凤杰芳辉"


def _share_file(first_year: int) -> str:
    rows = [f'  "450000":\n    - {{from: {first_year}-01-01, to: {first_year}-12-31, value: 42000, '
            f'source: "验证用: 广西{first_year}年度个人缴费标准420元"}}']
    rows += [f'  "{code}":\n    - {{from: {first_year + 1}-01-01, to: {first_year + 2}-12-31, '
             f'value: 42000, source: "验证用: {code}后两年度个人缴费标准420元"}}'
             for code in PUBLISHED_YEARS]
    return "description: 个人缴费标准\nunit: fen\nvalues:\n" + "\n".join(rows) + "\n"


@dataclass
class Resident:
    kind: str
    number: str
    name: str
    region: str
    birth: dt.date
    covered: list[int] | None
    group: str | None = None
    employee_end: dt.date | None = None
    row_id: int = 0


@dataclass
class World:
    backend: str
    url: str
    today: dt.date
    in_force: int
    collecting: int | None
    api: TestClient
    pages: TestClient
    console: TestClient
    residents: list[Resident]
    notices: Path
    policy: Path
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def renewal_year(self) -> int:
        return self.collecting or self.in_force

    def quote(self, r: Resident, year: int, employee_end: dt.date | None = None
              ) -> dict[str, Any] | None:
        params: dict[str, Any] = {"coverage_year": year, "payment_date": self.today.isoformat()}
        if employee_end is not None:
            params["employee_insurance_end_date"] = employee_end.isoformat()
        got = self.api.get(f"/api/v1/persons/{r.number}/quote", params=params,
                           headers=self.headers)
        if got.status_code == 422:
            return None
        assert got.status_code == 200, got.text
        answer: dict[str, Any] = got.json()
        return answer


def _birth(kind: str, n: int, today: dt.date) -> dt.date:
    if kind == "newborn_in":
        return today - dt.timedelta(days=20 + n % 40)
    if kind == "newborn_after":
        return today - dt.timedelta(days=130 + n % 60)
    if kind in ("assisted", "assisted_paid") and n % 2:
        return dt.date(today.year - 9, 1 + n % 12, 1 + n % 27)  # a child: 孤儿
    return dt.date(1950 + (n * 7) % 50, 1 + n % 12, 1 + (n * 3) % 27)


def _covered(kind: str, year: int) -> list[int] | None:
    if kind.startswith("lapsed"):
        k = int(kind[-1])
        return list(range(year - 5 - k, year - k))
    if kind in ("unknown", "newborn_in", "newborn_after"):
        return None
    if kind == "never":
        return []
    return list(range(year - 5, year))


def _generate(w: World) -> None:
    """The registry: residents of every class over four counties, in households."""
    today, year = w.today, w.in_force
    n = 0
    for kind, count in CLASSES:
        for _ in range(count):
            region = REGIONS[n % len(REGIONS)]
            if kind in ("underpaid", "renewed") and region == "450102":
                region = "450802"  # an underpayment needs a published share
            birth = _birth(kind, n, today)
            number = make_id_number(region, birth, n % 500, "female" if n % 2 else "male")
            name = (SURNAMES[n % 10] + FIRST[(n // 10) % 12] + SECOND[(n // 120) % 12])  # unique
            group = None
            if kind in ("assisted", "assisted_paid"):
                group = "orphan" if today.year - birth.year < 18 else "tekun"
            elif kind == "dibao":
                group = "dibao"
            end = today - dt.timedelta(days=15) if kind == "transfer" else None
            w.residents.append(Resident(kind, number, name, region, birth,
                                        _covered(kind, year), group, end))
            n += 1
    for r in w.residents:
        body: dict[str, Any] = {"id_number": r.number, "name": r.name, "region": r.region}
        if r.covered is not None:
            body["covered_years"] = r.covered
        got = w.api.post("/api/v1/persons", json=body, headers=w.headers)
        assert got.status_code == 201, got.text
        r.row_id = int(got.json()["id"])
        if r.group:
            got = w.api.post(f"/api/v1/persons/{r.number}/special-groups", headers=w.headers,
                             json={"group": r.group, "valid_from": "2020-01-01",
                                   "source": "民政部门认定"})
            assert got.status_code == 201, got.text
    for region in REGIONS:
        mine = [r for r in w.residents if r.region == region]
        at, size = 0, 1
        while at < len(mine):
            members = mine[at:at + size]
            got = w.api.post("/api/v1/households", headers=w.headers, json={
                "region": region, "address": "验证用地址", "head_id_number": members[0].number,
                "member_id_numbers": [m.number for m in members]})
            assert got.status_code == 201, got.text
            at, size = at + size, size % 4 + 1
    for i, r in enumerate(w.residents):
        _pay(w, r, i)


def _pay(w: World, r: Resident, i: int) -> None:
    """The payments of a class: the year in force in its period, or part of the year being
    collected today."""
    if r.kind in ("continuous_paid", "assisted_paid"):
        year, day = w.in_force, dt.date(w.in_force - 1, 11, 15)
    elif r.kind in ("underpaid", "renewed"):
        year, day = w.renewal_year, w.today
    else:
        return
    quote = w.api.get(f"/api/v1/persons/{r.number}/quote", headers=w.headers, params={
        "coverage_year": year, "payment_date": day.isoformat()}).json()
    due = int(quote["amount_due"].replace(".", "")) if quote["amount_due"] else 40000
    if r.kind == "underpaid":
        due -= 10000
    got = w.api.post("/api/v1/payments", headers=w.headers, json={
        "id_number": r.number, "coverage_year": year, "channel": "tax_hall",
        "channel_txn_id": f"CROSS-{i}", "amount": f"{due // 100}.{due % 100:02d}",
        "paid_at": day.isoformat()})
    assert got.status_code == 201, got.text


def _login(client: TestClient) -> None:
    token = _CSRF.search(client.get("/clerk/login").text)
    assert token
    got = client.post("/clerk/login", data={"username": "x-clerk", "password": PASSWORD,
                                            "csrf_token": token.group(1), "next": "/clerk"})
    assert got.status_code == 303, got.text


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[World]:
    from sqlalchemy import text

    from yibao.operations.renewal import RenewalOptions, run_renewal
    from yibao.policy.files import reload_policy
    from yibao.quoting.season import season
    from yibao.server import create_app
    from yibao.services.staff.users import create_user
    from yibao.settings import Settings, get_settings
    from yibao.store.db import Database
    from yibao.store.migrate import upgrade

    from ..service.conftest import _postgres_database

    tmp = tmp_path_factory.mktemp(f"cross-{request.param}")
    admin = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'yibao.sqlite3'}"
    else:
        url, admin = _postgres_database()
    upgrade(url)
    today = today_beijing()
    policy = tmp / "policy"
    policy.mkdir()
    (policy / "individual_share.yaml").write_text(_share_file(today.year), encoding="utf-8")
    saved = {k: os.environ.get(k) for k in ("YIBAO_POLICY_DIR", "YIBAO_LOOKUP_PER_CLIENT",
                                            "YIBAO_LOOKUP_PER_NUMBER")}
    os.environ.update({"YIBAO_POLICY_DIR": str(policy), "YIBAO_LOOKUP_PER_CLIENT": "100000/600",
                       "YIBAO_LOOKUP_PER_NUMBER": "100000/3600"})
    get_settings.cache_clear()
    reload_policy()
    db = Database(url)
    try:
        create_user(db, "x-clerk", "clerk", PASSWORD)
        app = create_app(Settings(database_url=url, secret_key=secrets.token_urlsafe(48)),
                         db=db)
        s = season(today)
        with TestClient(app, follow_redirects=False) as api, \
                TestClient(app, follow_redirects=False) as pages, \
                TestClient(app, follow_redirects=False) as console:
            token = api.post("/api/v1/auth/token", data={"username": "x-clerk",
                                                         "password": PASSWORD}).json()
            w = World(request.param, url, today, s.in_force, s.collecting, api, pages,
                      console, [], tmp / "renewal", policy,
                      {"Authorization": f"Bearer {token['access_token']}"})
            _generate(w)
            _login(console)
            run_renewal(db, RenewalOptions(year=w.renewal_year, out=w.notices, notices=True,
                                           as_of=today))
            yield w
    finally:
        db.dispose()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()
        reload_policy()
        if admin is not None:
            name = url.rsplit("/", 1)[1]
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


# -- what each surface shows ----------------------------------------------------------------

Head = tuple[str | None, str | None, str | None, str | None]  # step, total, start, reason


def _text(html: str, ident: str) -> str | None:
    """The text of the element with this id (tags removed), or None."""
    found = re.search(rf'id="{ident}"[^>]*>(.*?)</(?:p|span|div|li|dd|strong|td)>', html, re.S)
    if found is None:
        return None
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def head_of(html: str) -> Head:
    """The head of an answer on a page: next step, total, first day of cover, reason."""
    return (_text(html, "next-step"), _text(html, "total-due"), _text(html, "benefit-start"),
            _text(html, "start-reason"))


def expected_head(q: dict[str, Any]) -> Head:
    """What every surface's head must say, read from the API's answer (contract §2.1):
    this year's total and start, or — when this year's payment buys nothing — the step's."""
    step = q["next_step"]
    code = step["code"]
    later = code not in ("pay_this_year", "nothing_to_pay")
    source = step if later else q
    total, start = source["total_due"], source["benefit_start"]
    reason = source.get("benefit_start_reason")
    if code == "nothing_to_pay" and total in (None, "0.00"):
        total_text = "医疗救助全额资助，无需缴费"
    else:
        total_text = f"¥{total}" if total is not None else "暂未公布"
    return (zh_punct(step["text"]), total_text, start or f"{step['coverage_year']}年度无待遇",
            zh_punct(reason["text"]) if reason else None)


def _form(w: World, r: Resident, year: int, with_end: bool) -> dict[str, str]:
    """The front page's questions answered as the registry knows the resident."""
    covered = [y for y in (r.covered or []) if y < year]
    if r.covered is None and r.birth.year >= year - 1:
        history = {"insured_last_year": "never"}  # a child: no year before birth counts (C5)
    elif r.covered is None or (year - 1) in covered:
        history = {"insured_last_year": "yes"}
    elif not covered:
        history = {"insured_last_year": "never"}
    else:
        history = {"insured_last_year": "no", "last_paid_year": str(max(covered))}
    if r.kind in ("continuous_paid", "assisted_paid") and year > w.in_force:
        history = {"insured_last_year": "yes"}  # paid through the registry
    form = {"id_number": r.number, "coverage_year": str(year),
            "payment_date": w.today.isoformat(), "special_group": r.group or "", **history}
    if with_end and r.employee_end is not None:
        form["employee_end_date"] = r.employee_end.isoformat()
    return form


def _post(client: TestClient, path: str, form: dict[str, str]) -> str:
    page = client.get(path)
    token = _CSRF.search(page.text)
    got = client.post(path, data={**form, "csrf_token": token.group(1) if token else ""})
    assert got.status_code == 200, (path, got.status_code, got.text[:500])
    return got.text


def _paid_years(w: World, r: Resident) -> dict[int, dict[str, Any]]:
    got = w.api.get(f"/api/v1/persons/{r.number}/enrollments", headers=w.headers).json()
    return {e["coverage_year"]: e for e in got
            if e["status"] in ("paid", "overpaid", "underpaid", "pending")}


def _head_year(w: World, r: Resident, paid: dict[int, Any]) -> int | None:
    """The year the look-up and the console lead with: the first not yet paid (of the year
    in force and the one being collected) that can be answered."""
    years = (w.in_force, w.collecting) if w.collecting else (w.in_force,)
    for year in years:
        if year is not None and year not in paid and w.quote(r, year) is not None:
            return year
    return None


def _notice_pages(w: World) -> dict[str, list[str]]:
    """Per region, its household pages as one text each."""
    out: dict[str, list[str]] = {}
    for pdf in sorted((w.notices / "notices").glob("*.pdf")):
        pages = page_texts(pdf)
        households: list[str] = []
        for lines in pages:
            if lines and lines[0].startswith(TITLE):
                households.append("")
            if households:
                households[-1] += "".join(lines)
        out[pdf.stem] = households
    return out


def _cn(day: str) -> str:
    d = dt.date.fromisoformat(day)
    return f"{d.year}年{d.month}月{d.day}日"


def _mask(number: str) -> str:
    return f"{number[:6]}********{number[-4:]}"


def _check_notice(w: World, r: Resident, pages: dict[str, list[str]],
                  paid: dict[int, dict[str, Any]], wrong: list[str]) -> str:
    """The household notice agrees with the answer for the renewal year; returns how the
    member appears (pay, assisted, owed, paid)."""
    year = w.renewal_year
    row = f"{r.name}{_mask(r.number)}"
    held = paid.get(year)
    page = next((p for p in pages.get(r.region, []) if row in p or f"{r.name}（" in p
                 or f"{r.name}：" in p), None)
    if held is not None:
        if held["balance_due"] != "0.00":
            if page is None or f"{r.name}：{year}年度已缴" not in page \
                    or f"补缴差额{held['balance_due']}元" not in page:
                wrong.append(f"{r.kind} {r.name}: the notice does not ask for the difference")
            return "owed"
        if page is not None and row in page:
            wrong.append(f"{r.kind} {r.name}: paid, yet in the notice")
        return "paid"
    q = w.quote(r, year)
    if q is None:
        return "refused"
    if page is None:
        wrong.append(f"{r.kind} {r.name}: no notice")
        return "missing"
    if q["next_step"]["code"] == "nothing_to_pay":
        if row in page or not re.search(re.escape(r.name) + r"（[^）]+）[^。]*由医疗救助全额资助参保", page):
            wrong.append(f"{r.kind} {r.name}: fully assisted, not named as such")
        return "assisted"
    at = page.find(row)
    if at < 0:
        wrong.append(f"{r.kind} {r.name}: not in the notice's table")
        return "missing"
    rest = page[at + len(row):]
    due = q["amount_due"]
    if not rest.startswith(f"{due}元" if due is not None else "标准尚未公布"):
        wrong.append(f"{r.kind} {r.name}: amount {rest[:12]!r} ≠ {due}")
    start = q["benefit_start"]
    printed = re.search(r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}年度内无待遇", rest)
    if printed is None or printed.group(0) != (_cn(start) if start else f"{year}年度内无待遇"):
        wrong.append(f"{r.kind} {r.name}: start {printed and printed.group(0)} ≠ {start}")
    reason = q.get("benefit_start_reason")
    if start and start > f"{year}-01-01":
        said = f"{r.name}：{_cn(start)}起享受待遇，原因：{reason['text'] if reason else ''}"
        if not reason or said not in page:
            wrong.append(f"{r.kind} {r.name}: the reason beside {start} is not the answer's")
    return "pay"


def test_the_api_and_every_page_and_the_notice_agree(world: World) -> None:
    w = world
    wrong: list[str] = []
    pages = _notice_pages(w)
    seen: dict[str, set[str]] = {}
    codes: set[str] = set()
    for r in w.residents:
        paid = _paid_years(w, r)
        how = _check_notice(w, r, pages, paid, wrong)
        seen.setdefault(r.kind, set()).add(how)
        year = _head_year(w, r, paid)
        console = w.console.get(f"/clerk/persons/{r.row_id}")
        assert console.status_code == 200
        now = console.text[console.text.find('id="now"'):]
        now = now[:now.find("</section>")]
        if year is None:
            assert 'id="next-step"' not in now, r
            continue
        q = w.quote(r, year)
        assert q is not None
        codes.add(q["next_step"]["code"])
        want = expected_head(q)
        lookup = _post(w.pages, "/lookup", {"id_number": r.number, "name": r.name})
        for surface, html in (("lookup", lookup), ("console", now)):
            if head_of(html) != want:
                wrong.append(f"{r.kind} {r.name} {surface} {year}: {head_of(html)} ≠ {want}")
        with_end = w.quote(r, year, r.employee_end) if r.employee_end else q
        assert with_end is not None
        want = expected_head(with_end)
        front = _post(w.pages, "/", _form(w, r, year, True))
        plan = _post(w.pages, "/plan", {**_form(w, r, year, True), "months": "1"})
        for surface, html in (("front", front), ("plan", plan)):
            if head_of(html) != want:
                wrong.append(f"{r.kind} {r.name} {surface} {year}: {head_of(html)} ≠ {want}")
        row = re.search(r'id="plan-table".*?<tbody>\s*<tr[^>]*>(.*?)</tr>', plan, re.S)
        cells = [unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in
                 re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)] if row else []
        due, start = with_end["amount_due"], with_end["benefit_start"]
        if not cells or cells[1][:1] != ([f"¥{due}"] if due else ["暂未公布"]) or \
                cells[2][:1] != ([start] if start else ["本年度无待遇"]):
            wrong.append(f"{r.kind} {r.name} planner row {year}: {cells[:3]} ≠ {due}, {start}")
    assert not wrong, f"{len(wrong)} disagreements:\n" + "\n".join(wrong[:25])
    assert {kind for kind, _ in CLASSES} <= set(seen)
    assert {"pay", "assisted", "owed", "paid"} <= {how for hows in seen.values() for how in hows}
    assert {"pay_this_year", "nothing_to_pay"} <= codes
    if w.collecting:
        assert "pay_next_year" in codes  # the year in force can no longer buy cover


@pytest.mark.browser  # (Chromium asked for in the test, after the database is known)
def test_a_sample_through_the_browser(world: World, request: pytest.FixtureRequest) -> None:
    """Look-up and console in Chromium from a real server on the same registry, for one
    resident of several classes: the same head as the API's answer. On SQLite: the pages
    Chromium renders are the HTML read in process above, on both databases."""
    if world.backend != "sqlite":
        pytest.skip("the pages through Chromium once (SQLite); in process on both databases")
    browser: Any = request.getfixturevalue("browser")
    from yibao.local_server import running_server

    from .conftest import CHROMIUM_ARGS  # noqa: F401  (the suite's browser flags)

    w = world
    env = {**os.environ, "YIBAO_DATABASE_URL": w.url, "YIBAO_POLICY_DIR": str(w.policy),
           "YIBAO_SECRET_KEY": "cross-" + secrets.token_urlsafe(40),  # random: guessable keys are refused
           "YIBAO_LOOKUP_PER_CLIENT": "1000/600", "YIBAO_LOOKUP_PER_NUMBER": "1000/3600"}
    sample: dict[str, Resident] = {}
    for r in w.residents:
        if r.kind in ("continuous", "lapsed2", "assisted", "dibao", "newborn_in", "never") \
                and r.kind not in sample:
            sample[r.kind] = r
    args = ["-m", "yibao", "serve", "--host", "127.0.0.1", "--port", "{port}"]
    context = browser.new_context(viewport={"width": 412, "height": 915}, locale="zh-CN")
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(20_000)
    wrong: list[str] = []
    try:
        with running_server(args, env=env, cwd=w.notices.parent) as base:
            page.goto(base + "/clerk/login")
            page.fill("#f-username", "x-clerk")
            page.fill("#f-password", PASSWORD)
            page.click("#login-submit")
            page.wait_for_url(base + "/clerk")
            for kind, r in sample.items():
                year = _head_year(w, r, _paid_years(w, r))
                if year is None:
                    continue
                q = w.quote(r, year)
                assert q is not None
                want = expected_head(q)
                page.goto(base + "/lookup")
                page.fill("#f-id_number", r.number)
                page.fill("#f-name", r.name)
                page.click("#lookup-submit")
                page.wait_for_selector("#lookup-result")
                if head_of(page.content()) != want:
                    wrong.append(f"{kind} lookup: {head_of(page.content())} ≠ {want}")
                page.goto(f"{base}/clerk/persons/{r.row_id}")
                now = page.inner_html("#now")
                if head_of(now) != want:
                    wrong.append(f"{kind} console: {head_of(now)} ≠ {want}")
                page.screenshot(path=str(_shots() / f"cross-{w.backend}-{kind}-console.png"),
                                full_page=True)
    finally:
        context.close()
    assert len(sample) >= 5
    assert not wrong, "\n".join(wrong)


def _shots() -> Path:
    from .conftest import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
