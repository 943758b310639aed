"""Every console page on a phone (412x915) and on a desktop (1366x900), as a county clerk,
an admin and an auditor would open them, on a registry filled with the demo data, a
reconciliation run, twelve back-payment applications and a reversal waiting for approval:

- no horizontal scroll (the page is as wide as the screen);
- no text column narrower than four characters (tables become stacked rows on a phone:
  a long word never wraps one character per line);
- the header leaves the screen to the page; the charts' labels are readable;
- a screenshot of every page at both widths in ``test-output/console/``
  (``phone-<page>.png``, ``desktop-<page>.png``).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from yibao.idcard import make_id_number
from yibao.local_server import running_server

from ..cli_runner import yibao
from ..conftest import LOG_DIR
from .conftest import DESKTOP, PASSWORD, PHONE, ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "test-output" / "console"
GANGBEI = "450802"  # 贵港市港北区

#: visible table cells whose content box is narrower than four characters (or the whole text)
_NARROW_CELLS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    const text = (cell.innerText || '').trim();
    if (!text || cell.offsetParent === null) continue;
    let hidden = false;  // a heading kept for screen readers only (a stacked table's)
    for (let el = cell; el && el.tagName !== 'TABLE'; el = el.parentElement) {
      if (el.getBoundingClientRect().width <= 1) hidden = true;
    }
    if (hidden) continue;
    const style = getComputedStyle(cell);
    if (style.display === 'inline') continue;  // a compact list: the row reads as a paragraph
    const font = parseFloat(style.fontSize);
    const box = cell.getBoundingClientRect().width
      - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    // four characters: a Chinese character is one em, a digit or Latin letter about half
    const ems = [...text.replace(/\\s+/g, '')].reduce(
      (sum, ch) => sum + (ch.codePointAt(0) > 0x2e80 ? 1 : 0.5), 0);
    const need = Math.min(4, ems) * font;
    if (box + 0.5 < need) out.push(text.slice(0, 20) + ' (' + Math.round(box) + ' px)');
  }
  return out;
}"""

#: text in SVG charts smaller than 11 px on screen, or cut off at the chart's edge
_CHART_TEXT = """() => {
  const small = [], cut = [];
  for (const svg of document.querySelectorAll('main figure svg')) {
    const frame = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.height < 11) small.push(t.textContent + ' ' + r.height.toFixed(1));
      if (r.right > frame.right + 0.5 || r.left < frame.left - 0.5) cut.push(t.textContent);
    }
  }
  return {small, cut};
}"""


@pytest.fixture(scope="module")
def site(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server on the demo registry, with a reconciliation run, twelve applications, a
    newborn pre-registration and a clerk's reversal waiting for an admin."""
    work = tmp_path_factory.mktemp("yibao-web-phone")
    changes = {"YIBAO_DATABASE_URL": f"sqlite:///{work / 'yibao.db'}",
               "YIBAO_SECRET_KEY": secrets.token_urlsafe(48)}  # random: guessable keys are refused
    env = {**os.environ, **changes}

    def cli(*args: str, stdin: str | None = None) -> str:
        """``yibao ARGS`` in process (no start-up of a process per command)."""
        done = yibao(*args, input=stdin, env=changes, cwd=work)
        assert done.exit_code == 0, done.output
        return str(done.stdout)

    cli("db", "upgrade")
    for user, role in (("clerk1", "clerk"), ("admin1", "admin"), ("auditor1", "auditor")):
        cli("user", "add", user, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    cli("demo", "load")
    cli("demo", "statement", "--channel", "rural_credit_point", "-o", str(work / "rc.xlsx"),
        "--year", "2021", "--rate", "0.1")
    run = json.loads(cli("reconcile", str(work / "rc.xlsx"), "--channel", "rural_credit_point",
                         "--import-missing", "--json", "--by", "clerk1"))
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with (LOG_DIR / f"web-phone-{os.getpid()}.log").open("a") as log, running_server(
            ["-m", "yibao", "serve", "--host", "127.0.0.1", "--port", "{port}"],
            env=env, cwd=work, log=log) as base:
        yield {"base": base, "run": run["run_id"], **_records(base)}


def _client(base: str, user: str) -> httpx.Client:
    token = httpx.post(base + "/api/v1/auth/token",
                       data={"username": user, "password": PASSWORD}).json()["access_token"]
    return httpx.Client(base_url=base, timeout=30,
                        headers={"Authorization": f"Bearer {token}"})


def _records(base: str) -> dict[str, Any]:
    """Twelve residents of 港北区 with an application each; the first has paid 2025 and a
    clerk asked to reverse that payment; a newborn pre-registration."""
    with _client(base, "clerk1") as clerk:
        numbers = [make_id_number(GANGBEI, date(1960 + i, 4, 9), 310 + i, "female")
                   for i in range(12)]
        ids = []
        for i, number in enumerate(numbers):
            made = clerk.post("/api/v1/persons", json={
                "id_number": number, "name": f"韦秀{'一二三四五六七八九十甲乙'[i]}",
                "region": GANGBEI, "covered_years": [2022, 2023]})
            assert made.status_code == 201, made.text
            ids.append(made.json()["id"])
            app = clerk.post("/api/v1/back-payment-applications", json={
                "id_number": number, "type": "flexible_employment_unpaid",
                "submitted_via": "window", "years": [2024],
                "materials": {"back_payment_form": True}})
            assert app.status_code == 201, app.text
        paid = clerk.post("/api/v1/payments", json={
            "id_number": numbers[0], "coverage_year": 2025, "channel": "bank_counter",
            "channel_txn_id": "PHONE-1", "amount": "400.00", "paid_at": "2025-02-10"})
        assert paid.status_code == 201, paid.text
        asked = clerk.post(f"/api/v1/payments/{paid.json()['payment']['id']}/reversals", json={
            "kind": "reversal", "reference": "CH-PHONE-1", "reason": "渠道报冲正：重复扣款"})
        assert asked.status_code == 202, asked.text
        prereg = clerk.post("/api/v1/pre-registrations", json={
            "newborn_name": "韦小宝", "birth_date": (date.today() - timedelta(days=10)).isoformat(), "sex": "male",
            "region": GANGBEI, "birth_hospital": "贵港市人民医院",
            "parent_id_number": numbers[3], "parent_name": "韦秀四"})
        assert prereg.status_code == 201, prereg.text
    return {"person": ids[0], "numbers": numbers}


def _login(page: Any, base: str, user: str) -> None:
    page.goto(base + "/clerk/login")
    page.fill("#f-username", user)
    page.fill("#f-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(base + "/clerk")


Visit = Callable[[Any, dict[str, Any]], None]


def _go(path: str) -> Visit:
    def visit(page: Any, s: dict[str, Any]) -> None:
        page.goto(s["base"] + path.format(**s))

    return visit


def _find(page: Any, s: dict[str, Any]) -> None:
    page.goto(s["base"] + "/clerk/persons")
    page.fill("#f-q", "韦秀")
    page.click("#find-submit")
    page.wait_for_selector("#find-results")


def _payment_done(page: Any, s: dict[str, Any]) -> None:
    page.goto(s["base"] + f"/clerk/payments/new?person={s['person'] + 1}")
    page.fill("#f-coverage_year", "2025")
    page.fill("#f-channel_txn_id", f"PHONE-DONE-{page.viewport_size['width']}")
    page.fill("#f-amount", "400.00")
    page.fill("#f-paid_at", "2025-03-01")
    page.click("#payment-submit")
    page.wait_for_selector("#payment-done, #second-payment")
    if page.locator("#second-payment").count():  # the year is paid (an earlier width): confirm
        page.check("#f-confirm_second")
        page.click("#payment-submit")
    page.wait_for_selector("#payment-done")


#: (name, user, visit): every console page
PAGES: list[tuple[str, str, Visit]] = [
    ("login", "", _go("/clerk/login")),
    ("dashboard", "clerk1", _go("/clerk?year=2025")),
    ("dashboard-2021", "clerk1", _go("/clerk?year=2021")),
    ("reports-province", "clerk1", _go("/clerk/reports?year=2021")),
    ("reports-city", "clerk1", _go("/clerk/reports?year=2021&region=450800")),
    ("reports-county", "clerk1", _go("/clerk/reports?year=2021&region=450802")),
    ("find", "clerk1", _go("/clerk/persons")),
    ("find-results", "clerk1", _find),
    ("person", "clerk1", _go("/clerk/persons/{person}")),
    ("person-auditor", "auditor1", _go("/clerk/persons/{person}")),
    ("register", "clerk1", _go("/clerk/persons/new")),
    ("household", "clerk1", _go("/clerk/households/new")),
    ("payment-form", "clerk1", _go("/clerk/payments/new?person={person}")),
    ("payment-done", "clerk1", _payment_done),
    ("preregistrations", "clerk1", _go("/clerk/preregistrations")),
    ("conversions", "clerk1", _go("/clerk/preregistrations/conversions")),
    ("applications", "admin1", _go("/clerk/applications")),
    ("approvals", "admin1", _go("/clerk/approvals")),
    ("audit", "auditor1", _go("/clerk/audit")),
    ("reconciliations", "clerk1", _go("/clerk/reconciliations")),
    ("reconciliation", "clerk1", _go("/clerk/reconciliations/{run}")),
    ("password", "clerk1", _go("/clerk/password")),
    ("not-for-role", "auditor1", _go("/clerk/persons/new")),
]


def _measure(page: Any, name: str, label: str) -> dict[str, Any]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{label}-{name}.png"), full_page=True)
    return {
        "scroll": page.evaluate("document.scrollingElement.scrollWidth"),
        "inner": page.evaluate("window.innerWidth"),
        "height": page.evaluate("document.scrollingElement.scrollHeight"),
        "header": page.evaluate("document.querySelector('header.top').offsetHeight"),
        "narrow": page.evaluate(_NARROW_CELLS),
        "chart": page.evaluate(_CHART_TEXT),
    }


def _check(found: dict[str, dict[str, Any]], label: str) -> None:
    (SHOTS / f"{label}-figures.json").write_text(json.dumps(found, ensure_ascii=False, indent=1))
    wide = {n: (f["scroll"], f["inner"]) for n, f in found.items() if f["scroll"] > f["inner"]}
    assert wide == {}, f"{label}: pages wider than the screen: {wide}"
    narrow = {n: f["narrow"][:4] for n, f in found.items() if f["narrow"]}
    assert narrow == {}, f"{label}: columns narrower than four characters: {narrow}"
    small = {n: f["chart"]["small"][:4] for n, f in found.items() if f["chart"]["small"]}
    assert small == {}, f"{label}: chart labels under 11 px: {small}"
    cut = {n: f["chart"]["cut"][:4] for n, f in found.items() if f["chart"]["cut"]}
    assert cut == {}, f"{label}: chart labels cut at the edge: {cut}"
    if label == "phone":
        tall = {n: f["header"] for n, f in found.items() if f["header"] > 100}
        assert tall == {}, f"headers taller than 100 px: {tall}"
        assert found["applications"]["height"] < 915 * 6, found["applications"]["height"]


def test_every_console_page_fits_the_screen(site: dict[str, Any], browser: Any) -> None:
    """Each page opened on a phone's screen, measured, then laid out on a desktop's (the pages
    have no script that reads the width: the same document, as a desktop would load it)."""
    found: dict[str, dict[str, dict[str, Any]]] = {"phone": {}, "desktop": {}}
    for user in ("", "clerk1", "admin1", "auditor1"):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            if user:
                _login(page, site["base"], user)
            for name, who, visit in PAGES:
                if who != user:
                    continue
                page.set_viewport_size(PHONE)
                visit(page, site)
                found["phone"][name] = _measure(page, name, "phone")
                page.set_viewport_size(DESKTOP)
                found["desktop"][name] = _measure(page, name, "desktop")
        finally:
            context.close()
    for label, pages in found.items():
        _check(pages, label)


def test_the_person_page_shows_payment_dates_as_entered(site: dict[str, Any], browser: Any
                                                       ) -> None:
    """A payment entered with a date only reads as that date, no invented "08:00"."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, site["base"], "clerk1")
        page.goto(site["base"] + f"/clerk/persons/{site['person']}")
        row = page.locator("#payments tbody tr", has_text="PHONE-1").inner_text()
        assert "2025-02-10" in row and "08:00" not in row
    finally:
        context.close()
