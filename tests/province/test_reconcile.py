"""``yibao reconcile`` and ``yibao demo statement`` (in process), on SQLite and PostgreSQL:
the demo ledger (``yibao demo load``), statements with planted
differences in CSV (UTF-8 with a BOM, GB 18030) and Excel, exactly the planted
differences found, ``--import-missing`` twice, and the refusals (exit 2, nothing written).

On PostgreSQL the commands run as a login of the service role (append-only grants on the
reconciliation tables), as the service does in production.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from yibao.operations.reconcile.report import XLSX_COLUMNS
from yibao.operations.reconcile.words import CATEGORY_WORDS

from ..cli_runner import yibao
from ..service.conftest import _postgres_database, _service_login


@dataclass
class Ledger:
    backend: str
    url: str
    work: Path

    def run(self, *args: str, env: dict[str, str | None] | None = None) -> Any:
        """``yibao ARGS`` in process against this ledger, in its folder."""
        return yibao(*args, env={"YIBAO_DATABASE_URL": self.url, **(env or {})},
                     cwd=self.work)

    def scalar(self, sql: str, **params: Any) -> Any:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).scalar_one()
        finally:
            engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres",
                                                               marks=pytest.mark.postgres)])
def ledger(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Ledger]:
    """A migrated database holding the demo registry and its payments."""
    from yibao.store.migrate import upgrade

    work = tmp_path_factory.mktemp(f"reconcile-{request.param}")
    admin = None
    if request.param == "sqlite":
        owner = url = f"sqlite:///{work / 'yibao.sqlite3'}"
    else:
        owner, admin = _postgres_database()
    assert upgrade(owner)
    if admin is not None:
        url = _service_login(admin, owner)
    found = Ledger(request.param, url, work)
    loaded = found.run("demo", "load")
    assert loaded.exit_code == 0, loaded.output
    try:
        yield found
    finally:
        if admin is not None:
            name = owner.rsplit("/", 1)[1]
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{name}_app"'))
            admin.dispose()


def _report(path: Path) -> dict[str, list[dict[str, str]]]:
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)  # as Excel opens it
        sheet = book["差异 differences"]
        # ready to work with: headings in Chinese, frozen, filtered, columns wide enough
        assert [c.value for c in sheet[1]] == [zh for _, zh, _ in XLSX_COLUMNS]
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:K{sheet.max_row}"
        assert sheet.column_dimensions["C"].width >= 20
        keys = {zh: key for key, zh, _ in XLSX_COLUMNS}
        category = {zh: code for code, (zh, _) in CATEGORY_WORDS.items()}
        records = []
        for row in sheet.iter_rows(min_row=2):
            record = {keys[sheet.cell(1, c.column).value]: c for c in row}
            for key in ("statement_amount", "ledger_amount", "difference"):
                cell = record[key]  # a number in yuan (SUM works), shown with two places
                assert cell.value is None or (cell.data_type == "n"
                                              and cell.number_format == "#,##0.00"), cell
            records.append({k: "" if c.value is None else (
                f"{c.value:.2f}" if k in ("statement_amount", "ledger_amount", "difference")
                else category.get(c.value, c.value) if k == "category" else str(c.value))
                for k, c in record.items()})
        summary = dict(book["汇总 summary"].iter_rows(min_row=2, max_col=2, values_only=True))
        assert isinstance(summary["对账单金额合计（元）"], (int, float))
    else:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            records = list(csv.DictReader(fh))
    out: dict[str, list[dict[str, str]]] = {}
    for r in records:
        out.setdefault(r["category"], []).append(r)
    return out


def _statement(ledger: Ledger, channel: str, name: str, *extra: str) -> dict[str, Any]:
    target = ledger.work / name
    made = ledger.run("demo", "statement", "--channel", channel, "-o", str(target), "--seed", "7",
                      "--rate", "0.1", *extra)
    assert made.exit_code == 0, made.output
    return dict(json.loads((ledger.work / f"{name}.planted.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize(("channel", "statement", "report"), [
    ("wechat_city_service", "wechat.csv", "wechat-report.xlsx"),  # UTF-8 with BOM, title line
    ("alipay_citizen_center", "alipay.csv", "alipay-report.csv"),  # GB 18030, 2 title lines
    ("bank_counter", "bank.xlsx", "bank-report.csv"),  # Excel: number and date cells
])
def test_exactly_the_planted_differences_are_found(ledger: Ledger, channel: str,
                                                   statement: str, report: str) -> None:
    planted = _statement(ledger, channel, statement, "--year", "2021")
    runs_before = ledger.scalar("SELECT count(*) FROM reconciliation_runs")
    out = ledger.run("reconcile", str(ledger.work / statement), "--channel", channel,
                     "-o", str(ledger.work / report), "--json")
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)
    found = _report(ledger.work / report)
    for category, txn_ids in planted["expected"].items():
        got = sorted(r["channel_txn_id"] for r in found.get(category, []))
        assert got == sorted(txn_ids), category
    counts = summary["counts"]
    assert counts["matched"] == planted["matched"]
    assert counts["lines"] == planted["lines"]
    assert counts["ledger_payments"] == planted["ledger_payments"]
    # amounts exact, in yuan, ID numbers masked in the report
    for r in found["amount_difference"]:
        s, g = (int(x.replace(".", "")) for x in (r["statement_amount"], r["ledger_amount"]))
        assert int(r["difference"].replace(".", "")) == s - g
    assert all("*" * 8 in r["id_number_masked"] for rows in found.values() for r in rows)
    # the run is stored with its lines
    assert ledger.scalar("SELECT count(*) FROM reconciliation_runs") == runs_before + 1
    stored = ledger.scalar("SELECT count(*) FROM reconciliation_lines WHERE run_id = :r",
                           r=summary["run_id"])
    assert stored == sum(len(v) for v in found.values())
    # the Rich table in Chinese and English
    table = ledger.run("reconcile", str(ledger.work / statement), "--channel", channel)
    assert table.exit_code == 0 and "相符 matched" in table.stdout
    assert "差异" in table.stdout.splitlines()[-2] and "differences" in table.stdout.splitlines()[-1]
    assert "账上有、对账单没有 missing from the statement" in table.stdout


def test_import_missing_twice_records_each_payment_once(ledger: Ledger) -> None:
    channel = "mobile_pos"
    planted = _statement(ledger, channel, "pos.csv", "--year", "2021")
    recordable = [*planted["planted"]["extra"], *planted["planted"]["paid_twice"]]
    first = ledger.run("reconcile", str(ledger.work / "pos.csv"), "--channel", channel,
                       "--import-missing", "-o", str(ledger.work / "pos-1.csv"), "--json")
    assert first.exit_code == 0, first.output
    counts = json.loads(first.stdout)["counts"]
    assert counts["imported"] == len(recordable)
    assert counts["import_failed"] == 1
    lines = _report(ledger.work / "pos-1.csv")["missing_from_ledger"]
    outcome = {r["channel_txn_id"]: r["import_outcome"] for r in lines}
    assert outcome[planted["planted"]["unknown_person"][0]] == "person_not_found"
    assert all(outcome[t] == "created" for t in recordable)

    second = ledger.run("reconcile", str(ledger.work / "pos.csv"), "--channel", channel,
                        "--import-missing", "--json")
    counts = json.loads(second.stdout)["counts"]
    assert (counts["imported"], counts["import_failed"]) == (0, 1)
    assert counts["missing_from_ledger"] == 1  # the unknown person, listed again
    assert counts["matched"] == planted["matched"] + len(recordable)
    for txn in recordable:
        assert ledger.scalar("SELECT count(*) FROM payments WHERE channel = :c "
                             "AND channel_txn_id = :t", c=channel, t=txn) == 1


def _refused(ledger: Ledger, path: Path, channel: str, *words: str) -> None:
    runs = ledger.scalar("SELECT count(*) FROM reconciliation_runs")
    payments = ledger.scalar("SELECT count(*) FROM payments")
    report = ledger.work / "refused-report.csv"
    out = ledger.run("reconcile", str(path), "--channel", channel, "-o", str(report),
                     "--import-missing", "--json")
    assert out.exit_code == 2, out.output
    error = json.loads(out.stdout)["error"]
    assert error["message"] and error["message_en"]
    for word in words:
        assert word in out.stderr, out.stderr
    assert ledger.scalar("SELECT count(*) FROM reconciliation_runs") == runs
    assert ledger.scalar("SELECT count(*) FROM payments") == payments
    assert not report.exists()
    assert not [p for p in ledger.work.iterdir() if p.name.startswith(".refused")]


def test_refusals_exit_2_and_write_nothing(ledger: Ledger) -> None:
    _statement(ledger, "lz_yibao_wechat", "lz.csv")
    good = (ledger.work / "lz.csv").read_text(encoding="utf-8").splitlines()
    _refused(ledger, ledger.work / "lz.csv", "no_such_channel", "未知的缴费渠道", "unknown payment channel")
    _refused(ledger, ledger.work / "missing.csv", "lz_yibao_wechat", "无法读取", "cannot read")
    (ledger.work / "lz.txt").write_text("\n".join(good), encoding="utf-8")
    _refused(ledger, ledger.work / "lz.txt", "lz_yibao_wechat", ".csv", ".xlsx")

    header = good[0].split(",")
    no_amount = [",".join(c for i, c in enumerate(line.split(",")) if i != 3) for line in good]
    assert '"金额"' in header[3]
    (ledger.work / "no-amount.csv").write_text("\n".join(no_amount), encoding="utf-8")
    _refused(ledger, ledger.work / "no-amount.csv", "lz_yibao_wechat", "缺少列：金额",
             "lacks column(s) 金额", "line 1")

    for n, (bad, field) in enumerate([('"400.001"', "金额"), ('"4OO.00"', "金额")]):
        lines = good[:]
        cells = lines[5].split(",")
        cells[3] = bad
        lines[5] = ",".join(cells)
        path = ledger.work / f"bad-{n}.csv"
        path.write_text("\n".join(lines), encoding="utf-8")
        _refused(ledger, path, "lz_yibao_wechat", "第 6 行", f"“{field}”列", "line 6",
                 f"column '{field}'")
    lines = good[:]
    lines[3] = lines[3].replace("2025", "2025年", 1) if "2025" in lines[3] else lines[3] + "x"
    cells = lines[3].split(",")
    cells[4] = '"2025-13-40 25:00:00"'
    lines[3] = ",".join(cells)
    (ledger.work / "bad-date.csv").write_text("\n".join(lines), encoding="utf-8")
    _refused(ledger, ledger.work / "bad-date.csv", "lz_yibao_wechat", "第 4 行", "缴费时间")
    (ledger.work / "short.csv").write_text("\n".join([*good[:3], '"x","y"', *good[3:]]),
                                           encoding="utf-8")
    _refused(ledger, ledger.work / "short.csv", "lz_yibao_wechat", "第 4 行", "line 4")
    (ledger.work / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    _refused(ledger, ledger.work / "broken.xlsx", "bank_counter", "Excel")
    # UTF-8 and GB 18030 are both read whatever the layout says (issue 17: a channel's file
    # saved from Excel on a Chinese Windows); text in neither is refused
    (ledger.work / "utf16.csv").write_bytes("\n".join(good).encode("utf-16"))
    _refused(ledger, ledger.work / "utf16.csv", "lz_yibao_wechat", "utf-8")
    # a report name that cannot be written is refused before anything happens
    out = ledger.run("reconcile", str(ledger.work / "lz.csv"), "--channel", "lz_yibao_wechat",
                     "-o", str(ledger.work / "report.pdf"), "--import-missing")
    assert out.exit_code == 2 and "report" in out.stderr


def test_every_channel_has_a_checked_statement_layout() -> None:
    from pydantic import ValidationError

    from yibao.errors import InputError
    from yibao.operations.reconcile.formats import Layout, layout, layouts
    from yibao.policy import reference_data as reference

    assert set(layouts()) == {c.code for c in reference.channels()}
    assert layout("bank_counter").file == "xlsx"
    with pytest.raises(InputError) as unknown:
        layout("no_such_channel")
    assert unknown.value.code == "unknown_channel"
    good = layout("gx_yibao").model_dump()
    for broken in ({"date_format": "%H:%M"},  # loses the date
                   {"collected": []},  # a status column without its collected values
                   {"columns": {**good["columns"], "name": good["columns"]["amount"]}},
                   {"encoding": "latin-1"}, {"header_row": 0}):
        with pytest.raises(ValidationError):
            Layout.model_validate({**good, **broken})


def test_a_year_with_no_data_is_refused_and_stores_no_run(ledger: Ledger) -> None:
    _statement(ledger, "gx_yibao", "gx.csv")
    runs = ledger.scalar("SELECT count(*) FROM reconciliation_runs")
    out = ledger.run("reconcile", str(ledger.work / "gx.csv"), "--channel", "gx_yibao",
                     "--year", "2031", "--json")
    assert out.exit_code == 2, out.output
    error = json.loads(out.stdout)["error"]
    assert (error["code"], error["field"]) == ("no_data_for_year", "year")
    assert "2031" in out.stderr and "--year" in out.stderr
    assert ledger.scalar("SELECT count(*) FROM reconciliation_runs") == runs


PUBLISHED_LAYOUT = """statements:
  - channel: gx_yibao
    file: csv
    encoding: gb18030
    header_row: 2
    date_format: "%Y/%m/%d %H:%M:%S"
    columns:
      txn_id: 云闪付流水号
      id_number: 付款人证件号
      name: 付款人
      amount: 交易金额
      paid_at: 交易时间
      coverage_year: 所属年度
"""


def test_a_channel_that_changes_its_file_is_published_through_the_overlay(
        ledger: Ledger, tmp_path: Path) -> None:
    """A channel's new layout in the published folder's statements.yaml: checked by
    ``yibao policy check``, written and read with it; the old layout no longer reads it."""
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "statements.yaml").write_text(PUBLISHED_LAYOUT, encoding="utf-8")
    assert yibao("policy", "check", folder).exit_code == 0
    published = {"YIBAO_POLICY_DIR": str(folder)}
    target = ledger.work / "gx-new.csv"
    made = ledger.run("demo", "statement", "--channel", "gx_yibao", "-o", str(target), "--json",
                      env=published)
    assert made.exit_code == 0, made.output
    lines = target.read_bytes().decode("gb18030").splitlines()
    assert "云闪付流水号" in lines[1] and "交易金额" in lines[1]
    done = ledger.run("reconcile", str(target), "--channel", "gx_yibao", "--json", env=published)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["counts"]["lines"] == len(lines) - 2
    shipped = ledger.run("reconcile", str(target), "--channel", "gx_yibao", "--json")
    assert shipped.exit_code == 2


def test_the_xlsx_report_opens_in_excel_ready_to_sum(tmp_path: Path) -> None:
    """Headings in Chinese, frozen, with a filter and widths; amounts numbers in yuan."""
    from yibao.operations.reconcile.report import commit, write_report

    line = {"category": "amount_difference", "line": 4, "channel_txn_id": "WX-1",
            "id_number": "450202********8026", "person_id": 7, "coverage_year": 2025,
            "statement_amount": "400.00", "ledger_amount": "380.00", "difference": "20.00",
            "payment_id": 9, "outcome": None}
    summary = {"channel": "wechat_city_service", "file_name": "wx.csv", "file_digest": "ab" * 32,
               "years": [2025], "counts": {"lines": 2, "matched": 1, "amount_differences": 1},
               "statement_amount": "800.00", "ledger_amount": "780.00"}
    target = tmp_path / "report.xlsx"
    commit(write_report(target, summary, [line, {**line, "line": 5, "channel_txn_id": "WX-2",
                                                "difference": "0.10"}]))
    records = _report(target)["amount_difference"]
    assert [r["difference"] for r in records] == ["20.00", "0.10"]
    from openpyxl import load_workbook

    sheet = load_workbook(target)["差异 differences"]
    assert sheet["A2"].value == "金额不符" and sheet["G2"].value == 400
    assert sum(c.value for c in sheet["I"][1:]) == pytest.approx(20.10)  # what SUM(I:I) gives
