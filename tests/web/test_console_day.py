"""Issue 17, a clerk's day in the console (in process, a fresh SQLite registry): reversals
and refunds from the person page through another admin's approval, the warning before a
second payment for a paid year, a replayed transaction, an underpayment's shortfall, the
audit log (paged, filtered, one row per view, subjects in words), statement upload, and no
raw JSON or 500 for a bad value in an address.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from yibao.idcard import make_id_number
from yibao.server import create_app
from yibao.services.staff.users import create_user
from yibao.settings import Settings
from yibao.store.db import Database
from yibao.store.migrate import upgrade
from yibao.store.models import AuditEntry

PASSWORD = "console-day-pass-1"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Desk:
    """One staff member's browser session on the console."""

    client: TestClient

    def token(self, path: str = "/clerk/persons") -> str:
        found = _CSRF.search(self.client.get(path).text)
        assert found, path
        return found.group(1)

    def post(self, path: str, data: dict[str, str], **kw: Any) -> Any:
        return self.client.post(path, data={**data, "csrf_token": self.token()}, **kw)

    def get(self, path: str) -> Any:
        return self.client.get(path)


@dataclass
class Office:
    app: Any
    db: Database
    clerk: Desk
    admin: Desk
    admin2: Desk
    auditor: Desk


def _desk(app: Any, user: str) -> Desk:
    client = TestClient(app, follow_redirects=False)
    client.__enter__()
    page = client.get("/clerk/login").text
    found = _CSRF.search(page)
    assert found
    r = client.post("/clerk/login", data={"username": user, "password": PASSWORD,
                                          "csrf_token": found.group(1), "next": "/clerk"})
    assert r.status_code == 303, r.text
    return Desk(client)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    url = f"sqlite:///{tmp_path_factory.mktemp('day') / 'yibao.sqlite3'}"
    upgrade(url)
    db = Database(url)
    for user, role in (("d-clerk", "clerk"), ("d-admin", "admin"), ("d-admin2", "admin"),
                       ("d-auditor", "auditor")):
        create_user(db, user, role, PASSWORD)
    app = create_app(Settings(database_url=url, secret_key=secrets.token_urlsafe(48)), db=db)
    desks = [_desk(app, u) for u in ("d-clerk", "d-admin", "d-admin2", "d-auditor")]
    try:
        yield Office(app, db, *desks)
    finally:
        for d in desks:
            d.client.__exit__(None, None, None)
        db.dispose()


_SERIAL = iter(range(100, 999))


def _person(office: Office, name: str = "覃秀兰") -> tuple[str, int]:
    """A registered resident of 港北区 with a known history: (ID number, row id)."""
    number = make_id_number("450802", dt.date(1975, 3, 4), next(_SERIAL), "female")
    r = office.clerk.post("/clerk/persons/new", {
        "id_number": number, "name": name, "region": "450802", "history": "years",
        "covered_years": "2023, 2024"})
    assert r.status_code == 303, r.text
    return number, int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])


def _pay(desk: Desk, number: str, txn: str, amount: str = "400.00", **extra: str) -> Any:
    return desk.post("/clerk/payments/new", {
        "id_number": number, "coverage_year": "2025", "channel": "tax_hall",
        "channel_txn_id": txn, "amount": amount, "paid_at": "2024-11-20", **extra})


def _payment_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="payment-(\d+)"', page)]


def _kpi_payments(desk: Desk) -> int:
    found = re.search(r'id="kpi-payments">(\d+)<', desk.get("/clerk?year=2025").text)
    assert found
    return int(found.group(1))


def test_a_clerks_reversal_waits_for_another_admin_then_shows_on_the_person_page(
        office: Office) -> None:
    number, pid = _person(office)
    before = _kpi_payments(office.clerk)
    assert _pay(office.clerk, number, "DAY-REV-1").status_code == 200
    assert _kpi_payments(office.clerk) == before + 1
    page = office.clerk.get(f"/clerk/persons/{pid}").text
    (payment,) = _payment_ids(page)
    assert f'id="reverse-form-{payment}"' in page
    r = office.clerk.post(f"/clerk/persons/{pid}/payments/{payment}/reversal", {
        "kind": "reversal", "amount": "", "reference": "CHREV-1",
        "reason": "银行退回重复扣款"})
    assert r.status_code == 303 and "done=reversal-pending" in r.headers["location"]
    page = office.clerk.get(r.headers["location"]).text
    assert "等待另一位管理员审批" in page and 'data-status="pending_approval"' in page
    assert "银行退回重复扣款" in page
    assert 'class="reversed"' not in page  # nothing changed before the approval
    # the same reference again: not asked twice
    r = office.clerk.post(f"/clerk/persons/{pid}/payments/{payment}/reversal", {
        "kind": "reversal", "amount": "", "reference": "CHREV-1",
        "reason": "银行退回重复扣款"})
    assert "done=reversal-pending" in r.headers["location"]
    approvals = office.admin.get("/clerk/approvals").text
    (rid,) = re.findall(r'id="approval-(\d+)"', approvals)
    r = office.admin.post(f"/clerk/approvals/{rid}", {"decision": "approve", "note": "凭证已核"})
    assert r.status_code == 303
    page = office.clerk.get(f"/clerk/persons/{pid}").text
    assert 'class="reversed" data-reversed="400.00"' in page
    assert 'data-status="recorded"' in page and "渠道冲正 ¥400.00" in page
    assert "已全额退回" in page and "已撤销（款项已退回）" in page
    assert f'id="reverse-form-{payment}"' not in page  # nothing left to reverse
    assert _kpi_payments(office.clerk) == before  # a wholly reversed payment is not counted
    log = office.auditor.get("/clerk/audit?action=reversal").text
    assert "¥400.00" in log and "银行退回重复扣款" in log


def test_an_admins_own_refund_applies_at_once_and_a_bad_amount_is_beside_the_form(
        office: Office) -> None:
    number, pid = _person(office, "莫丽华")
    assert _pay(office.admin, number, "DAY-REF-1").status_code == 200
    page = office.admin.get(f"/clerk/persons/{pid}").text
    (payment,) = _payment_ids(page)
    r = office.admin.post(f"/clerk/persons/{pid}/payments/{payment}/reversal", {
        "kind": "refund", "amount": "500", "reference": "REF-1", "reason": "多缴退费"})
    assert r.status_code == 422 and f'id="err-reverse-{payment}"' in r.text
    assert "400.00" in r.text  # what is left of the payment
    r = office.admin.post(f"/clerk/persons/{pid}/payments/{payment}/reversal", {
        "kind": "refund", "amount": "400", "reference": "REF-1", "reason": "多缴退费"})
    assert r.status_code == 303 and "done=reversal-created" in r.headers["location"]
    page = office.admin.get(r.headers["location"]).text
    assert 'id="done-day"' in page and "已生效" in page and "退费 ¥400.00" in page
    r = office.admin.post(f"/clerk/persons/{pid}/payments/{payment}/reversal", {
        "kind": "refund", "amount": "400", "reference": "REF-1", "reason": "多缴退费"})
    assert "done=reversal-repeated" in r.headers["location"]
    assert "未重复办理" in office.admin.get(r.headers["location"]).text


def test_an_admin_corrects_an_enrollment_from_the_person_page(office: Office) -> None:
    number, pid = _person(office, "黄建军")
    assert _pay(office.clerk, number, "DAY-COR-1").status_code == 200
    assert "correct-form-" not in office.clerk.get(f"/clerk/persons/{pid}").text
    page = office.admin.get(f"/clerk/persons/{pid}").text
    (eid,) = re.findall(r'id="correct-form-(\d+)"', page)
    r = office.admin.post(f"/clerk/persons/{pid}/enrollments/{eid}/correction",
                          {"recompute": "1", "reason": ""})
    assert r.status_code == 422 and f'id="err-correct-{eid}"' in r.text
    r = office.admin.post(f"/clerk/persons/{pid}/enrollments/{eid}/correction",
                          {"benefit_start": "2025-03-01", "reason": "经复核，待遇自3月起"})
    assert r.status_code == 303, re.findall(r"err-correct-[^<]*<", r.text)
    assert "done=corrected" in r.headers["location"]
    page = office.admin.get(r.headers["location"]).text
    assert 'id="done-day"' in page and "2025-03-01 – 2025-12-31" in page


def test_a_second_payment_for_a_paid_year_is_confirmed_first(office: Office) -> None:
    number, pid = _person(office, "梁小燕")
    assert _pay(office.clerk, number, "DAY-2ND-1").status_code == 200
    r = _pay(office.clerk, number, "DAY-2ND-2")
    assert r.status_code == 409 and 'id="second-payment"' in r.text
    assert "2025年度已缴费" in r.text and "¥400.00" in r.text
    assert 'id="payment-done"' not in r.text
    page = office.clerk.get(f"/clerk/persons/{pid}").text
    assert len(_payment_ids(page)) == 1  # nothing was saved
    r = _pay(office.clerk, number, "DAY-2ND-2", confirm_second="1")
    assert r.status_code == 200 and 'id="payment-done"' in r.text
    assert len(_payment_ids(office.clerk.get(f"/clerk/persons/{pid}").text)) == 2


def test_a_replayed_transaction_says_it_was_not_booked_twice(office: Office) -> None:
    number, pid = _person(office, "陆海涛")
    first = _pay(office.clerk, number, "DAY-REPLAY-1")
    assert 'id="payment-done"' in first.text
    again = _pay(office.clerk, number, "DAY-REPLAY-1")
    assert again.status_code == 200
    assert "该流水号已记录，未重复入账" in again.text and 'id="payment-done"' not in again.text
    assert len(_payment_ids(office.clerk.get(f"/clerk/persons/{pid}").text)) == 1
    office.clerk.client.cookies.set("yibao_lang", "en")
    try:
        assert "already recorded; nothing was booked twice" in _pay(
            office.clerk, number, "DAY-REPLAY-1").text
    finally:
        office.clerk.client.cookies.delete("yibao_lang")


def test_an_underpayment_shows_the_shortfall_and_what_to_do(office: Office) -> None:
    number, _pid = _person(office, "甘美玲")
    r = _pay(office.clerk, number, "DAY-UNDER-1", amount="380.00")
    assert r.status_code == 200 and 'id="done-owed"' in r.text
    owed = re.search(r'id="done-owed">([^<]+)<', r.text)
    assert owed and "少缴¥20.00" in owed.group(1) and "请补缴差额¥20.00" in owed.group(1)


def _read_rows(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)
                            .where(AuditEntry.action == "read_id_number")) or 0)


def test_one_payment_and_one_page_view_write_one_full_id_row_each(office: Office) -> None:
    number, pid = _person(office, "谢春花")
    before = _read_rows(office.db)
    assert _pay(office.clerk, number, "DAY-VIEW-1").status_code == 200
    assert _read_rows(office.db) == before + 1  # the receipt: one row, not one per use case
    office.clerk.get(f"/clerk/persons/{pid}")
    assert _read_rows(office.db) == before + 2
    office.clerk.get(f"/clerk/payments/new?person={pid}")
    assert _read_rows(office.db) == before + 3


def test_the_audit_log_is_paged_filtered_and_in_words(office: Office) -> None:
    number, pid = _person(office, "罗志明")
    _pay(office.clerk, number, "DAY-AUDIT-1")
    page = office.auditor.get("/clerk/audit").text
    total = re.search(r'id="audit-total">共 (\d+) 条', page)
    assert total and int(total.group(1)) > 50
    assert 'id="audit-next"' in page and "其他" not in page
    page2 = office.auditor.get("/clerk/audit?page=2").text
    assert "第 2 /" in page2 and 'id="audit-prev"' in page2
    mine = office.auditor.get("/clerk/audit?who_did=d-admin2").text
    assert re.search(r'id="audit-total">共 \d+ 条', mine)
    assert all(actor == "d-admin2" for actor in re.findall(r"<td>(d-[a-z0-9-]+)</td>", mine))
    # whom, by ID number: posted, then the person's row number in the address
    r = office.auditor.post("/clerk/audit", {"whom": number, "who_did": "", "action": "",
                                             "date_from": "", "date_to": ""})
    assert r.status_code == 303 and number not in r.headers["location"]
    assert f"person={pid}" in r.headers["location"]
    about = office.auditor.get(r.headers["location"]).text
    assert "¥400.00" in about and "记录缴费" in about
    by_name = office.auditor.get("/clerk/audit?whom=罗志明&action=payment").text
    assert re.search(r'id="audit-total">共 1 条', by_name)
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    none = office.auditor.get(f"/clerk/audit?date_to={today - dt.timedelta(days=400)}").text
    assert re.search(r'id="audit-total">共 0 条', none)
    some = office.auditor.get(f"/clerk/audit?date_from={today}&date_to={today}").text
    assert not re.search(r'id="audit-total">共 0 条', some)


@pytest.mark.parametrize("path,field", [
    ("/clerk?year=202", "year"), ("/clerk?year=", "year"), ("/clerk?year=abcd", "year"),
    ("/clerk/reports?year=", "year"), ("/clerk/reports?year=202", "year"),
    ("/clerk/reports?year=2025&region=999999", "region"),
    ("/clerk/audit?page=x", "page"), ("/clerk/audit?date_from=2025-02-30", "date_from"),
    ("/clerk/audit?action=drop_table", "action"),
])
def test_a_bad_value_in_an_address_is_a_message_beside_its_field(
        office: Office, path: str, field: str) -> None:
    r = office.auditor.get(path)
    assert 400 <= r.status_code < 500, (path, r.status_code)
    assert r.headers["content-type"].startswith("text/html")
    assert f'id="err-{field}"' in r.text, path
    assert '{"error"' not in r.text


@pytest.mark.parametrize("path", ["/clerk/reconciliations?page=x", "/clerk/reconciliations/1?page=x",
                                  "/clerk/reports.csv?year=x", "/clerk/persons/abc"])
def test_no_console_address_answers_json_or_500(office: Office, path: str) -> None:
    r = office.auditor.get(path)
    assert r.status_code < 500, (path, r.status_code)
    assert not r.headers["content-type"].startswith("application/json"), (path, r.text)


def _statement(rows: list[tuple[str, str, str, str]]) -> str:
    """A tax12366_wechat statement: (transaction, ID number, name, amount)."""
    head = "电子税票号码,缴费人证件号码,缴费人姓名,实缴金额,缴款时间,费款所属年度,缴款状态\n"
    return head + "".join(f"{t},{n},{name},{a},2024-11-20 10:00:00,2025,已入库\n"
                          for t, n, name, a in rows)


def _upload(desk: Desk, name: str, data: bytes, action: str = "check", **form: str) -> Any:
    return desk.client.post("/clerk/reconciliations/upload", data={
        "channel": "tax12366_wechat", "year": "", "action": action,
        "csrf_token": desk.token("/clerk/reconciliations"), **form},
        files={"statement": (name, data, "application/octet-stream")})


def _counts(page: str) -> dict[str, int]:
    table = page.split('id="recon-counts"', 1)[1].split("</table>", 1)[0]
    return {k: int(v) for k, v in re.findall(
        r'<th scope="row">([^<]+)</th><td class="digits">(\d+)</td>', table)}


@pytest.mark.parametrize("encoding,suffix", [("gb18030", ".csv"), ("utf-8-sig", ".csv"),
                                             ("utf-8", ".csv"), ("xlsx", ".xlsx")])
def test_a_statement_uploaded_is_checked_then_its_missing_lines_imported(
        office: Office, encoding: str, suffix: str) -> None:
    tag = encoding.replace("-", "")
    paid, _ = _person(office, "韦德明")
    unpaid, unpaid_id = _person(office, "农秀英")
    short, _ = _person(office, "黄国庆")
    for number, txn in ((paid, f"WX-{tag}-1"), (short, f"WX-{tag}-3")):
        r = office.clerk.post("/clerk/payments/new", {
            "id_number": number, "coverage_year": "2025", "channel": "tax12366_wechat",
            "channel_txn_id": txn, "amount": "400.00", "paid_at": "2024-11-20"})
        assert r.status_code == 200, r.text
    text = _statement([(f"WX-{tag}-1", paid, "韦德明", "400.00"),
                       (f"WX-{tag}-2", unpaid, "农秀英", "400.00"),
                       (f"WX-{tag}-3", short, "黄国庆", "380.00")])
    if suffix == ".xlsx":
        import io

        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for line in text.strip().split("\n"):
            sheet.append(line.split(","))
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    else:
        data = text.encode(encoding)
    r = _upload(office.clerk, f"对账单-{tag}{suffix}", data, year="2025")
    assert r.status_code == 303, r.text
    assert "done=checked" in r.headers["location"]
    page = office.clerk.get(r.headers["location"]).text
    counts = _counts(page)
    assert 'id="recon-done"' in page and 'id="recon-import"' in page
    assert counts["相符"] >= 1 and counts["渠道已收、账上没有"] == 1, counts
    assert counts["金额不符"] == 1, counts
    assert len(_payment_ids(office.clerk.get(f"/clerk/persons/{unpaid_id}").text)) == 0
    digest = re.search(r'name="file" value="([0-9a-f]{64})"', page)
    assert digest
    from yibao.web.statement_files import folder

    home = folder() / digest.group(1)  # kept for the import, readable by yibao alone
    assert folder().stat().st_mode & 0o777 == 0o700
    assert [f.stat().st_mode & 0o777 for f in home.iterdir()] == [0o600]
    r = office.clerk.post("/clerk/reconciliations/import", {
        "file": digest.group(1), "channel": "tax12366_wechat", "year": "2025"})
    assert r.status_code == 303 and "done=imported" in r.headers["location"]
    assert "已补记" in office.clerk.get(r.headers["location"]).text
    assert len(_payment_ids(office.clerk.get(f"/clerk/persons/{unpaid_id}").text)) == 1
    assert not home.exists()  # imported: the statement's ID numbers are not kept
    r = office.clerk.post("/clerk/reconciliations/import", {
        "file": digest.group(1), "channel": "tax12366_wechat", "year": "2025"})
    assert r.status_code == 410 and "请重新上传" in r.text


def _checked_an_hour_ago(office: Office, name: str, txn: str) -> tuple[str, str, str]:
    """A statement of one person checked, then aged past the hour it is kept: (its digest,
    the run's address, the person's ID number)."""
    import os
    import time

    from yibao.web.statement_files import KEEP_SECONDS, folder

    number, _ = _person(office, name)
    data = _statement([(txn, number, name, "400.00")]).encode()
    r = _upload(office.clerk, f"{txn}.csv", data, year="2025")
    assert r.status_code == 303, r.text
    found = re.search(r"file=([0-9a-f]{64})", r.headers["location"])
    assert found and (folder() / found.group(1)).is_dir()
    then = time.time() - KEEP_SECONDS - 60
    os.utime(folder() / found.group(1), (then, then))
    return found.group(1), r.headers["location"], number


def _import_refused(office: Office, digest: str) -> None:
    r = office.clerk.post("/clerk/reconciliations/import", {
        "file": digest, "channel": "tax12366_wechat", "year": "2025"})
    assert r.status_code == 410 and "请重新上传" in r.text


def test_a_statement_checked_but_not_imported_is_removed_after_an_hour(
        office: Office) -> None:
    from yibao.web.statement_files import folder

    old, _, number = _checked_an_hour_ago(office, "陆春梅", "WX-OLD-1")
    fresh = _statement([("WX-NEW-1", number, "陆春梅", "400.00")]).encode()
    assert _upload(office.clerk, "新对账单.csv", fresh, year="2025").status_code == 303
    assert not (folder() / old).exists()
    _import_refused(office, old)


def test_a_bad_or_large_statement_is_a_message_beside_the_file_field(
        office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    r = _upload(office.clerk, "notes.txt", b"hello")
    assert r.status_code == 422 and 'id="err-statement"' in r.text and ".xlsx" in r.text
    r = _upload(office.clerk, "bad.csv", "甲,乙\n1,2\n".encode())
    assert r.status_code == 422 and 'id="err-statement"' in r.text
    r = _upload(office.clerk, "s.csv", b"x", year="20x5")
    assert r.status_code == 422 and 'id="err-year"' in r.text
    from yibao.web import routes_clerk_reconcile

    r = _upload(office.clerk, "huge.csv", b"x" * (21 * 1024 * 1024))  # past the server's bound
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert "不能超过 20 MB" in r.text and '{"error"' not in r.text
    monkeypatch.setattr(routes_clerk_reconcile, "MAX_STATEMENT_BYTES", 1000)
    r = _upload(office.clerk, "big.csv", b"x" * 2000)
    assert r.status_code == 413 and 'id="err-statement"' in r.text and "MB" in r.text
    r = office.auditor.client.post("/clerk/reconciliations/upload", data={
        "channel": "tax12366_wechat", "csrf_token": office.auditor.token()},
        files={"statement": ("s.csv", b"x", "text/csv")})
    assert r.status_code == 403


def test_an_expired_statement_cannot_be_imported_and_is_removed_when_asked_for(
        office: Office) -> None:
    from yibao.web.statement_files import folder

    digest, run, _ = _checked_an_hour_ago(office, "蒙丽华", "WX-EXP-1")
    page = office.clerk.get(run).text  # no import offered for it now
    assert 'id="recon-import"' not in page
    assert not (folder() / digest).exists()
    _import_refused(office, digest)
