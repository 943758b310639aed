"""The console's reconciliation pages in the browser: a server of its own with the demo
ledger, a statement with planted differences reconciled (and the missing lines recorded)
through the real CLI, then the list and the run as a clerk and an auditor — counts and
difference lines in words, ID numbers masked, Chinese and English, accessible."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from yibao.local_server import running_server

from ..cli_runner import yibao
from ..conftest import LOG_DIR
from .conftest import PASSWORD
from .quality import assert_accessible, assert_plain

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def recon(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    work = tmp_path_factory.mktemp("yibao-web-reconcile")
    changes = {"YIBAO_DATABASE_URL": f"sqlite:///{work / 'yibao.db'}",
               "YIBAO_SECRET_KEY": secrets.token_urlsafe(48)}  # random: guessable keys are refused
    env = {**os.environ, **changes}

    def cli(*args: str, stdin: str | None = None) -> str:
        """``yibao ARGS`` in process (no start-up of a process per command)."""
        done = yibao(*args, input=stdin, env=changes, cwd=work)
        assert done.exit_code == 0, done.output
        return str(done.stdout)

    cli("db", "upgrade")
    for user, role in (("clerk1", "clerk"), ("auditor1", "auditor")):
        cli("user", "add", user, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    cli("demo", "load")
    cli("demo", "statement", "--channel", "rural_credit_point", "-o", str(work / "rc.xlsx"),
        "--year", "2021", "--rate", "0.1")
    planted = json.loads((work / "rc.xlsx.planted.json").read_text(encoding="utf-8"))
    summary = json.loads(cli("reconcile", str(work / "rc.xlsx"), "--channel",
                             "rural_credit_point", "--import-missing", "--json", "--by", "clerk1"))
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with (LOG_DIR / f"web-reconcile-{os.getpid()}.log").open("a") as log, running_server(
            ["-m", "yibao", "serve", "--host", "127.0.0.1", "--port", "{port}", "--access-log"],
            env=env, cwd=work, log=log) as base:
        yield {"base": base, "planted": planted, "summary": summary}


def test_runs_and_one_run_in_words(recon: dict[str, Any], desktop: Any, login: Any,
                                   shoot: Any) -> None:
    base, planted, summary = recon["base"], recon["planted"], recon["summary"]
    login(desktop, base)
    desktop.click("nav >> text=渠道对账")
    desktop.wait_for_url(base + "/clerk/reconciliations")
    row = desktop.locator("#recon-runs tbody tr").first
    assert "农村信用社" in row.inner_text() or "信用" in row.inner_text()
    assert "rural_credit_point" not in desktop.inner_text("main")  # codes only as form values
    assert_plain(desktop, "zh")
    assert_accessible(desktop)
    shoot(desktop, "clerk-reconciliations-desktop")

    row.locator("a").first.click()
    desktop.wait_for_url(base + f"/clerk/reconciliations/{summary['run_id']}")
    counts = desktop.inner_text("#recon-counts")
    assert f"相符\t{summary['counts']['matched']}" in counts
    assert f"已补记入账\t{len(planted['planted']['extra']) + len(planted['planted']['paid_twice'])}" in counts
    lines = desktop.inner_text("#recon-lines")
    for txn in planted["planted"]["amount_changed"] + planted["planted"]["dropped"]:
        assert txn in lines
    assert "金额不符" in lines and "账上有、对账单没有" in lines
    assert "无法入账：未登记此人" in lines
    assert "********" in lines  # masked ID numbers
    assert_plain(desktop, "zh")
    assert_accessible(desktop)
    shoot(desktop, "clerk-reconciliation-run-desktop")

    desktop.click("#recon-filter >> text=金额不符")
    shown = desktop.locator("#recon-lines tbody tr")
    assert shown.count() == len(planted["planted"]["amount_changed"])
    desktop.goto(desktop.url + "&lang=en")
    assert "amount differs" in desktop.inner_text("#recon-lines")
    assert "matched" in desktop.inner_text("#recon-counts")
    assert_plain(desktop, "en")


def test_auditor_reads_runs_and_unknown_run_is_a_page(recon: dict[str, Any], phone: Any,
                                                     login: Any, shoot: Any) -> None:
    base = recon["base"]
    login(phone, base, "auditor1")
    phone.goto(base + f"/clerk/reconciliations/{recon['summary']['run_id']}")
    assert phone.locator("#recon-lines tbody tr").count() >= 1
    assert_accessible(phone)
    width = phone.evaluate("window.innerWidth")  # the page fits the phone; the lines scroll
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    counts = phone.locator("#recon-counts td").first.bounding_box()
    assert counts is not None and counts["width"] > 30  # a count is a number, not a clipped badge
    shoot(phone, "clerk-reconciliation-run-phone")
    response = phone.goto(base + "/clerk/reconciliations/999999")
    assert response is not None and response.status == 404
    assert "不存在" in phone.inner_text("#recon-failed")
