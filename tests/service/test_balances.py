"""Balances after settling, and the anchor rule for fully assisted residents, against a real
server on SQLite and PostgreSQL (issue 15).

- Residents pay 400.00 for 2026 while Guangxi's share is unpublished (pending); the share
  is then published at 420.00 and ``yibao payments settle`` settles them ``under``: each
  enrollment keeps a balance of 20.00, and the balance list (CSV, UTF-8 with a BOM,
  Chinese headers, yuan) names them.
- A fully assisted resident's 0.00 payment is a payment, not a reversal: reversing a later
  payment of the same year leaves the year paid, with its cover.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from .conftest import Server
from .helpers import new_id, register

SHARE_2026 = """description: 个人缴费标准
unit: fen
values:
  "450000":
    - {from: 2026-01-01, to: 2026-12-31, value: 42000, source: "测试: 广西2026年度个人缴费标准420元"}
"""


def _pay(clerk: httpx.Client, number: str, amount: str, txn: str, day: str = "2025-11-20",
         year: int = 2026) -> dict[str, object]:
    r = clerk.post("/api/v1/payments", json={
        "id_number": number, "coverage_year": year, "channel": "gx_yibao",
        "channel_txn_id": txn, "amount": amount, "paid_at": day})
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


def _settle(cli: typer.Typer, folder: Path, out: Path, monkeypatch: pytest.MonkeyPatch
            ) -> dict[str, object]:
    from yibao.policy.files import load_policy
    from yibao.settings import get_settings

    monkeypatch.setenv("YIBAO_POLICY_DIR", str(folder))
    get_settings.cache_clear()
    load_policy.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["payments", "settle", "--balances", str(out),
                                          "--json"])
    finally:
        monkeypatch.delenv("YIBAO_POLICY_DIR")
        get_settings.cache_clear()
        load_policy.cache_clear()
    assert result.exit_code == 0, result.output
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_an_under_settlement_leaves_a_balance_and_the_list_names_it(
        server: Server, clerk: httpx.Client, cli: typer.Typer, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    under = [register(clerk, region="450202", id_number=new_id("450202"), covered_years=[2025])
             for _ in range(3)]
    exact = register(clerk, region="450202", id_number=new_id("450202"), covered_years=[2025])
    for n, number in enumerate(under):
        paid = _pay(clerk, number, "400.00", f"BAL-{number}-{n}")
        assert paid["payment"]["settlement"] == "unquoted"  # type: ignore[index]
    _pay(clerk, exact, "420.00", f"BAL-{exact}")
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / "individual_share.yaml").write_text(SHARE_2026, encoding="utf-8")
    out = tmp_path / "lists" / "owed.csv"

    result = _settle(cli, folder, out, monkeypatch)

    assert result["settled"] >= 4 and result["underpaid"] >= 3
    assert result["payments"] >= 4 and result["balances_file"] == str(out)
    for number in under:
        (year,) = [e for e in clerk.get(f"/api/v1/persons/{number}/enrollments").json()
                   if e["coverage_year"] == 2026]
        assert year["status"] == "underpaid" and year["balance_due"] == "20.00"
        assert year["amount_due"] == "420.00" and year["amount_paid"] == "400.00"
        assert year["benefit_start"] == "2026-01-01"
        (payment,) = clerk.get(f"/api/v1/persons/{number}/payments").json()
        assert payment["settlement"] == "under" and payment["difference"] == "-20.00"
    (done,) = [e for e in clerk.get(f"/api/v1/persons/{exact}/enrollments").json()
               if e["coverage_year"] == 2026]
    assert done["status"] == "paid" and done["balance_due"] == "0.00"

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a spreadsheet reads it as UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0]) == ["地区代码", "地区", "登记编号", "姓名", "身份证号(已隐去中间)",
                             "参保年度", "应缴金额(元)", "已缴金额(元)", "尚欠金额(元)"]
    mine = [r for r in rows if r["身份证号(已隐去中间)"] in
            {f"{n[:6]}********{n[-4:]}" for n in under}]
    assert len(mine) == 3
    assert all(r["尚欠金额(元)"] == "20.00" and r["应缴金额(元)"] == "420.00"
               and r["已缴金额(元)"] == "400.00" and r["参保年度"] == "2026"
               and r["地区"] == "城中区" for r in mine)
    assert not any(exact[-4:] == r["身份证号(已隐去中间)"][-4:] and r["登记编号"]
                   and r["尚欠金额(元)"] == "0.00" for r in rows)

    again = _settle(cli, folder, out, monkeypatch)  # idempotent; the list still names them
    assert again["settled"] == 0 and again["balances_listed"] == result["balances_listed"]

    # paying the rest clears the balance
    _pay(clerk, under[0], "20.00", f"BAL-REST-{under[0]}", day="2025-12-05")
    (year,) = [e for e in clerk.get(f"/api/v1/persons/{under[0]}/enrollments").json()
               if e["coverage_year"] == 2026]
    assert year["status"] == "paid" and year["balance_due"] == "0.00"


def test_a_fully_assisted_residents_zero_payment_is_a_payment_not_a_reversal(
        clerk: httpx.Client, admin: httpx.Client) -> None:
    number = register(clerk, covered_years=[2024])
    r = clerk.post(f"/api/v1/persons/{number}/special-groups", json={
        "group": "tekun", "valid_from": "2020-01-01", "source": "民政部门认定"})
    assert r.status_code == 201, r.text
    zero = _pay(clerk, number, "0.00", f"ZERO-{number}", day="2024-10-20", year=2025)
    assert zero["enrollment"]["status"] == "paid"  # type: ignore[index]
    assert zero["enrollment"]["benefit_start"] == "2025-01-01"  # type: ignore[index]
    extra = _pay(clerk, number, "400.00", f"EXTRA-{number}", day="2024-11-02", year=2025)
    assert extra["payment"]["settlement"] == "over"  # type: ignore[index]
    reversal = admin.post(f"/api/v1/payments/{extra['payment']['id']}/reversals",  # type: ignore[index]
                          json={"kind": "refund", "reference": f"RF-{number}",
                                "reason": "多缴退费 paid by mistake"})
    assert reversal.status_code == 201, reversal.text
    year = reversal.json()["enrollment"]
    # the 0.00 payment still anchors the year: paid, covered from 1 January, nothing owed
    assert year["status"] == "paid" and year["benefit_start"] == "2025-01-01"
    assert year["balance_due"] == "0.00"
