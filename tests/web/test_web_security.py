"""Every page passes its Content-Security-Policy in Chromium (no inline script, nothing from
another origin), /docs and /redoc work without the internet, and a forged form from
another site is refused with a page in words."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

PUBLIC = ["/", "/plan", "/pay?region=450802", "/clerk/login"]
CONSOLE = ["/clerk", "/clerk/persons", "/clerk/persons/new", "/clerk/households/new",
           "/clerk/payments/new", "/clerk/preregistrations", "/clerk/applications"]


def _watch(page: Any) -> list[str]:
    """Console messages and failed requests that tell of a blocked resource."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text else None)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"{r.status}: {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.on("request", lambda r: problems.append(f"external: {r.url}")
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    return problems


def test_pages_pass_their_csp(server: str, desktop: Any, login: Any) -> None:
    page = desktop
    problems = _watch(page)
    for path in PUBLIC:
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
    login(page, server, "admin1")
    for path in CONSOLE:
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
    assert problems == []


def _first_screen(page: Any, name: str) -> None:
    """A screenshot of the first screen only: the whole reference is tens of thousands of
    pixels long, and its first screen shows that it works."""
    from .conftest import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_docs_work_offline_under_their_csp(server: str, desktop: Any, shoot: Any) -> None:
    page = desktop
    problems = _watch(page)
    page.goto(server + "/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
    assert "yibao" in page.inner_text(".swagger-ui .info .title")
    page.locator(".opblock-summary-path").first.wait_for()
    assert page.locator(".opblock-summary-path").count() > 40
    _first_screen(page, "docs-swagger-desktop")
    page.goto(server + "/redoc")
    page.wait_for_selector("h1:has-text('yibao')", timeout=30_000)
    _first_screen(page, "docs-redoc-desktop")
    assert problems == []


def test_a_forged_form_is_refused_in_words(server: str, desktop: Any, login: Any,
                                           shoot: Any) -> None:
    page = desktop
    login(page, server)
    page.goto(server + "/clerk/persons/new")
    page.evaluate("document.querySelector('#person-form input[name=csrf_token]').value = 'x'")
    page.fill("#f-id_number", "450802198507090213")
    page.fill("#f-name", "冒名")
    page.click("#person-submit")
    page.wait_for_selector("#csrf-refused")
    assert "无法提交" in page.inner_text("#csrf-refused")
    shoot(page, "clerk-csrf-refused-desktop")
    page.goto(server + "/clerk/persons?q=450802198507090213")
    assert "冒名" not in page.content()
