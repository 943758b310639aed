"""``yibao renewal YEAR`` over a generated registry (in process; the real entry point where a
run is killed): row by row against a registered person's single quote, reminders, resume,
notices, refusals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from yibao.errors import InputError
from yibao.operations.renewal.write import REMINDER_CSV
from yibao.quoting.answers import concentrated_period
from yibao.rules.money import fen_to_yuan
from yibao.services.common import Actor
from yibao.services.registry.history import COVERED_STATUSES
from yibao.services.registry.quotes import QuoteFacts, quote_person
from yibao.store.models import Person

from ..cli_runner import yibao
from .conftest import AS_OF, PERSONS, YEAR, Registry

ADMIN = Actor("renewal-test", "admin")


def renew(registry: Registry, *args: str) -> Any:
    """``yibao renewal ARGS`` in process against the generated registry."""
    return yibao("renewal", *args, env={"YIBAO_DATABASE_URL": registry.url})


@pytest.fixture(scope="module")
def renewed(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("renewal") / "out"
    proc = renew(registry, str(YEAR), "-o", str(out), "--as-of", AS_OF)
    assert proc.exit_code == 0, proc.output
    zh, en = proc.stdout.strip().splitlines()
    assert zh.startswith(f"{YEAR}年度续保:") and f" {PERSONS} 人" in zh
    assert f"{PERSONS} residents" in en
    return out


def _rows(out: Path) -> list[dict[str, object]]:
    return pq.read_table(out / f"renewal-{YEAR}.parquet").to_pylist()


def test_every_resident_matches_the_single_quote(registry: Registry, renewed: Path) -> None:
    rows = _rows(renewed)
    assert len(rows) == PERSONS
    checked = 0
    db = registry.database()
    try:
        with db.read() as s:
            numbers = {i: n for i, n in s.execute(select(Person.id, Person.id_number))}
        for row in rows[::4]:  # a sample, every region represented in turn
            quote_date = row["quote_date"]
            assert isinstance(quote_date, dt.date)
            try:
                single = quote_person(db, ADMIN, numbers[row["person_id"]],  # type: ignore[index]
                                      QuoteFacts(YEAR, quote_date))
            except InputError as exc:  # e.g. born after the quote date: the row says why
                assert row["error"] == exc.code and row["amount_due"] is None
                continue
            region = str(row["region"])
            period = concentrated_period(region, YEAR)
            assert period is not None
            assert quote_date == max(dt.date.fromisoformat(AS_OF), period[0])
            assert row["amount_due"] == single.quote.amount_due_fen, row
            assert row["benefit_start"] == single.quote.benefit_start, row
            assert row["deadline"] == period[1]
            assert row["history_unknown"] == single.history_unknown
            assert row["special_group"] == single.special_group
            held = single.enrollment
            assert row["paid"] == (held is not None and held.status in COVERED_STATUSES)
            if held is not None:
                assert row["enrollment_status"] == held.status
                assert row["covered_from"] == held.benefit_start
                assert row["balance_due"] == held.balance_due
            if not row["paid"]:  # the answer's words, computed in batch, as the single answer
                step, reason = single.quote.next_step, single.quote.start_reason
                assert step is not None
                assert row["next_step"] == step.code and row["pay_by"] == step.pay_by, row
                assert row["next_step_text"] == step.text, row
                assert row["start_reason_text"] == (reason.text if reason else None), row
                assert (row["back_pay_years"] or []) == list(step.back_pay_years), row
                if step.back_pay_years:
                    assert row["back_pay_benefit_start"] == step.benefit_start, row
                    assert row["back_pay_months"] == step.months_earlier, row
                checked += 1
    finally:
        db.dispose()
    assert any(r["paid"] for r in rows) and not all(r["paid"] for r in rows)
    assert any(r["history_unknown"] for r in rows)
    assert checked > 10 and any(r["start_reason"] == "lapse" for r in rows)
    assert any(r["next_step"] == "nothing_to_pay" for r in rows)  # fully assisted, unpaid


def test_reminders_are_exactly_the_unpaid_partitioned_by_region(renewed: Path) -> None:
    rows = _rows(renewed)
    unpaid = {r["person_id"] for r in rows if not r["paid"] or r["balance_due"]}
    seen: set[object] = set()
    for part in sorted((renewed / "reminders").glob("*.parquet")):
        table = pq.read_table(part)
        ids = table.column("person_id").to_pylist()
        assert set(table.column("region").to_pylist()) <= {part.stem}
        assert not seen & set(ids)
        seen |= set(ids)
        raw = part.with_suffix(".csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel shows the names in Chinese
        heading = dict(REMINDER_CSV)
        lines = [{key: line[heading[key]] for key in heading}
                 for line in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))]
        assert next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))[:6] == [
            "区划代码", "地区", "家庭编号", "人员编号", "姓名", "身份证号码（遮挡）"]
        assert len(lines) == table.num_rows
        for line, row in zip(lines, table.to_pylist(), strict=True):
            due = row["amount_due"]
            assert line["amount_due_yuan"] == ("" if due is None else fen_to_yuan(due))
            assert int(line["person_id"]) == row["person_id"]
            assert line["deadline"] == str(row["deadline"] or "")
            assert line["balance_due_yuan"] == fen_to_yuan(row["balance_due"])
            assert line["start_reason"] == (row["start_reason_text"] or "")
    assert seen == unpaid


def test_a_resumed_run_gives_the_same_bytes(registry: Registry, renewed: Path,
                                            tmp_path: Path) -> None:
    out = tmp_path / "again"
    shutil.copytree(renewed, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    lost = sorted(manifest["chunks"])[3]
    (out / "chunks" / f"{lost}.parquet").unlink()  # as if killed while writing this region
    (out / "reminders" / f"{lost}.csv").unlink()
    (out / f"renewal-{YEAR}.parquet").unlink()
    proc = renew(registry, str(YEAR), "-o", str(out), "--as-of", AS_OF, "--resume", "--json")
    assert proc.exit_code == 0, proc.output
    assert json.loads(proc.stdout)["resumed"] == len(manifest["chunks"]) - 1
    fresh = tmp_path / "fresh"
    assert renew(registry, str(YEAR), "-o", str(fresh), "--as-of", AS_OF).exit_code == 0
    for folder in (out, fresh):
        for name in (f"renewal-{YEAR}.parquet", f"reminders/{lost}.csv",
                     f"reminders/{lost}.parquet"):
            assert (folder / name).read_bytes() == (renewed / name).read_bytes(), name


def test_notices_give_each_household_its_total(registry: Registry, renewed: Path,
                                               tmp_path: Path) -> None:
    """Every member's first day of cover, and beside a later one its reason; fully assisted
    members named as such, never as owing 0.00; phone numbers whole; no codes."""
    from .notice_check import check_region, page_texts

    rows = [r for r in _rows(renewed) if not r["paid"]]
    out = tmp_path / "notices"
    # Guigang, whose offices the data has; Fangchenggang, with a fully assisted member and a
    # later start; on SQLite Liuzhou's six counties too (every county of a province's
    # renewal: ``python -m tests.province.notice_check OUT_DIR``)
    cities = [("--region", "450800"), ("--region", "450600")]
    if registry.backend == "sqlite":
        cities.append(("--region", "450200"))
    pdfs: dict[str, Path] = {}
    for i, city in enumerate(cities):
        folder = out / str(i)
        proc = renew(registry, str(YEAR), "-o", str(folder), "--as-of", AS_OF, "--notices",
                     *city)
        assert proc.exit_code == 0, proc.output
        pdfs.update({p.stem: folder for p in (folder / "notices").glob("*.pdf")})
    rows = [r for r in rows if r["region"] in pdfs]
    assert len(pdfs) > 1 and rows
    regions = sorted({str(r["region"]) for r in rows})
    findings = [f for region in regions for f in check_region(pdfs[region], region, YEAR)]
    assert findings and not [f for f in findings if f.problems]
    later = assisted = 0
    for region in regions:
        mine = [r for r in rows if r["region"] == region]
        households: dict[object, list[dict[str, object]]] = {}
        for r in mine:
            households.setdefault(r["household_id"], []).append(r)
        pages = page_texts(pdfs[region] / "notices" / f"{region}.pdf")
        assert len(pages) == len(households)
        for lines, members in zip(pages, households.values(), strict=True):
            words = "".join(lines)
            pay = [m for m in members if m["next_step"] not in ("nothing_to_pay", None)]
            total = sum(int(m["amount_due"]) for m in pay if m["amount_due"] is not None)
            if pay:
                assert f"全户合计应缴：{fen_to_yuan(total)}元" in words
                assert "请在2024年12月31日（2025年度集中参保缴费期最后一天）前" in words
            for m in members:
                assert str(m["name"]) in words
                if m["next_step"] == "nothing_to_pay":
                    assisted += 1
                    assert f"{m['name']}{m['id_masked']}" not in words  # not in the table
                    assert "由医疗救助全额资助参保，个人无需缴费" in words
                elif m["benefit_start"] and m["benefit_start"] > dt.date(YEAR, 1, 1):
                    later += 1
                    assert f"原因：{m['start_reason_text']}" in words
            assert "按期缴费的" not in words  # no one day claimed for everybody
            assert "咨询电话" in words and "12393" in words
            for m in members:
                words = words.replace(str(m["id_masked"]), "")
            assert region not in words  # plain words, no codes
            if region == "450802":  # the county's own offices where the data has them
                assert "港北区医疗保障局：0775-4259717（征缴）" in words
            elif not region.startswith("4508"):
                assert "电话暂未收录：请拨打全国医疗保障服务热线12393" in words
    assert later and assisted


@pytest.mark.parametrize(("args", "zh", "en"), [
    (("--region", "999999"), "未知的行政区划代码", "unknown region code"),
    ((), "尚未公布", "not published"),
])
def test_bad_input_exits_2_in_both_languages(registry: Registry, tmp_path: Path,
                                             args: tuple[str, ...], zh: str, en: str) -> None:
    year = "2027" if not args else str(YEAR)  # Guangxi's 2027 share is not published
    proc = renew(registry, year, "-o", str(tmp_path / "o"), *args)
    assert proc.exit_code == 2, proc.output
    assert zh in proc.stderr and en in proc.stderr
    assert proc.exception is None or isinstance(proc.exception, SystemExit)


def test_an_unwritable_folder_exits_2(registry: Registry, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    proc = renew(registry, str(YEAR), "-o", str(blocker / "out"))
    assert proc.exit_code == 2
    assert "无法写入输出目录" in proc.stderr and "cannot write" in proc.stderr


def test_the_schema_keeps_money_in_fen(renewed: Path) -> None:
    schema = pq.read_schema(renewed / f"renewal-{YEAR}.parquet")
    assert schema.field("amount_due").type == pa.int64()
    assert schema.field("paid_fen").type == pa.int64()


def test_a_run_killed_midway_resumes_to_the_same_files(registry: Registry,
                                                       tmp_path: Path) -> None:
    """Kill the real command while it writes notices region by region, resume, compare."""
    import os
    import signal
    import subprocess
    import time

    from .conftest import YIBAO

    # Yulin: three counties, killed after the first is written
    args = [str(YEAR), "--as-of", AS_OF, "--region", "450900", "--notices"]
    out = tmp_path / "killed"
    env = {**os.environ, "YIBAO_DATABASE_URL": registry.url}
    proc = subprocess.Popen([YIBAO, "renewal", *args, "-o", str(out)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = out / "manifest.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if manifest.exists() and len(json.loads(manifest.read_text("utf-8"))["chunks"]) >= 1:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert not (out / f"renewal-{YEAR}.parquet").exists()
    resumed = renew(registry, *args, "-o", str(out), "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "resumed" in resumed.stdout and "(0 resumed)" not in resumed.stdout
    fresh = tmp_path / "fresh"
    assert renew(registry, *args, "-o", str(fresh)).exit_code == 0
    names = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    for name in names:
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_run_killed_at_any_file_resumes_to_a_clean_runs_folder(registry: Registry,
                                                                 tmp_path: Path) -> None:
    """SIGKILL before each file of a run is renamed into place (after every complete file,
    with the next one half-written), then ``--resume``: the folder holds exactly the files
    of a clean run, byte for byte, and no temporary file (tests/province/killing.py; the
    same over Nanning's 9 counties, 47 kill points, passed in 17 minutes)."""
    import os
    import subprocess
    import sys

    if registry.backend != "sqlite":
        pytest.skip("the kill points are the files, the same on both databases; "
                    "the real SIGKILL above runs on both")
    # Fangchenggang: one county with unpaid residents, so every kind of file of a run is a
    # kill point: the manifest, the county's chunk, reminders (Parquet, CSV), notices and
    # the manifest again, and the combined file (resuming past complete counties: above)
    args = [str(YEAR), "--as-of", AS_OF, "--region", "450600", "--notices"]
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"args": ["renewal", *args], "out": str(tmp_path),
                                "points": "all"}), encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "tests.province.killing", str(spec)], cwd=root,
                          env={**os.environ, "YIBAO_DATABASE_URL": registry.url},
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    clean = _files(tmp_path / "counted")
    assert found["files"] == 1 + 5 + 1 and len(found["killed"]) == found["files"]
    assert set(found["killed"].values()) == {-9}, found  # every run died at its point
    for point in found["killed"]:
        out = tmp_path / f"killed-{point}"
        assert _files(out) != clean, point  # the run was cut short
        resumed = renew(registry, *args, "-o", str(out), "--resume")
        assert resumed.exit_code == 0, (point, resumed.output)
        files = _files(out)
        assert sorted(files) == sorted(clean), point
        assert files == clean, point


def test_without_o_the_run_goes_to_the_output_folder_of_the_settings(
        registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "yibao.toml").write_text(f'database_url = "{registry.url}"\noutput_dir = "out"\n',
                                         encoding="utf-8")
    proc = yibao("renewal", str(YEAR), "--as-of", AS_OF, "--region", "450802", "--json",
                 env={"YIBAO_DATABASE_URL": None}, cwd=tmp_path)
    assert proc.exit_code == 0, proc.output
    assert json.loads(proc.stdout)["output"] == str(
        tmp_path / "out" / f"renewal-{YEAR}" / f"renewal-{YEAR}.parquet")
