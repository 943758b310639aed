"""``yibao report`` on a small registry with known situations, on SQLite and PostgreSQL:
exact counts per county and city through the CLI (in process), the same numbers from the Parquet
extract, the CSV/SVG/PNG files, the API, and bad input (exit 2, Chinese and English).

The registry is built through the service's API on a server of its own (a fresh database,
so the counts are exact), as a clerk would: registrations with the cover found, payments,
one refund.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest

from yibao.idcard import make_id_number
from yibao.local_server import running_server

from ..cli_runner import yibao
from ..conftest import LOG_DIR
from ..service.conftest import PASSWORDS, SECRET, _postgres_database, _service_login

YEAR = 2025
AS_OF = "2025-03-01"


@dataclass
class Registry:
    backend: str
    db_url: str
    base_url: str
    tokens: dict[str, str]

    def client(self, role: str = "clerk") -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30,
                            headers={"Authorization": f"Bearer {self.tokens[role]}"})


_serial = iter(range(1, 10_000))


def _person(c: httpx.Client, region: str, birth: dt.date, covered: list[int] | None) -> str:
    number = make_id_number(region, birth, next(_serial), "female")
    body: dict[str, Any] = {"id_number": number, "name": "测试", "region": region}
    if covered is not None:
        body["covered_years"] = covered
    r = c.post("/api/v1/persons", json=body)
    assert r.status_code == 201, r.text
    return number


def _pay(c: httpx.Client, number: str, day: str, amount: str = "400.00") -> int:
    r = c.post("/api/v1/payments", json={
        "id_number": number, "coverage_year": YEAR, "channel": "tax12366_wechat",
        "channel_txn_id": f"RPT-{number}-{day}", "amount": amount, "paid_at": day})
    assert r.status_code == 201, r.text
    return int(r.json()["payment"]["id"])


def _build(reg: Registry) -> None:
    """Chengzhong (450202) and Yufeng (450203) in Liuzhou, Gangbei (450802) in Guigang."""
    with reg.client("clerk") as c, reg.client("admin") as admin:
        a = _person(c, "450202", dt.date(1980, 5, 1), [2023, 2024])   # on time, covered
        _pay(c, a, "2024-10-15")
        b = _person(c, "450202", dt.date(1975, 3, 2), [2022])         # lapsed 2023-24, repaid
        _pay(c, b, "2024-11-20")                                      # waits 3 + 1 months
        late = _person(c, "450202", dt.date(1990, 7, 3), [2024])      # late payer: waits 3
        _pay(c, late, "2025-02-10")
        _person(c, "450202", dt.date(1985, 1, 4), [2023, 2024])       # unpaid
        _person(c, "450202", dt.date(1970, 9, 5), [2021])             # lapsed, unpaid
        _person(c, "450202", dt.date(1980, 2, 6), None)               # history unknown
        baby = _person(c, "450203", dt.date(2025, 2, 10), None)       # newborn, from birth
        _pay(c, baby, "2025-02-20")
        _person(c, "450203", dt.date(2026, 1, 5), None)               # born after the year
        refunded = _person(c, "450802", dt.date(1966, 6, 7), [2024])
        pid = _pay(c, refunded, "2024-12-20")
        r = admin.post(f"/api/v1/payments/{pid}/reversals", json={
            "kind": "refund", "reference": "RF-1", "reason": "重复缴费 duplicate"})
        assert r.status_code == 201, r.text
        under = _person(c, "450802", dt.date(1977, 8, 8), [2024])     # underpaid, on time
        _pay(c, under, "2024-10-01", "300.00")
        # fully assisted (特困): medical assistance pays it all, the payment is 0.00 — a
        # payment on time, not a wholly reversed one (the anchor rule)
        for birth in (dt.date(1950, 1, 9), dt.date(2010, 4, 10)):
            assisted = _person(c, "450802", birth, [2024])
            r = c.post(f"/api/v1/persons/{assisted}/special-groups", json={
                "group": "tekun" if birth.year < 2000 else "orphan",
                "valid_from": "2020-01-01", "source": "民政部门认定"})
            assert r.status_code == 201, r.text
            _pay(c, assisted, "2024-10-20", "0.00")


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[Registry]:
    from sqlalchemy import text

    from yibao.services.staff.users import create_user
    from yibao.store.db import Database
    from yibao.store.migrate import upgrade

    admin_engine = None
    if request.param == "sqlite":
        owner = url = f"sqlite:///{tmp_path_factory.mktemp('rdb') / 'yibao.sqlite3'}"
    else:
        owner, admin_engine = _postgres_database()
    assert upgrade(owner)
    if admin_engine is not None:
        url = _service_login(admin_engine, owner)
    db = Database(owner)
    for role, password in PASSWORDS.items():
        create_user(db, f"t-{role}", role, password)
    db.dispose()
    env = {**os.environ, "YIBAO_DATABASE_URL": url, "YIBAO_SECRET_KEY": SECRET}
    args = ["-m", "uvicorn", "yibao.server:create_app", "--factory", "--host", "127.0.0.1",
            "--port", "{port}", "--log-level", "warning", "--no-access-log"]
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    try:
        with ExitStack() as stack:
            log = stack.enter_context(
                (LOG_DIR / f"reports-{request.param}-{os.getpid()}.log").open("a"))
            base = stack.enter_context(running_server(
                args, env=env, cwd=Path(tmp_path_factory.mktemp("rcwd")), log=log))
            tokens = {role: httpx.post(f"{base}/api/v1/auth/token", data={
                "username": f"t-{role}", "password": pw}).json()["access_token"]
                for role, pw in PASSWORDS.items()}
            reg = Registry(request.param, url, base, tokens)
            _build(reg)
            yield reg
    finally:
        if admin_engine is not None:
            name = owner.rsplit("/", 1)[1]
            with admin_engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{name}_app"'))
            admin_engine.dispose()


def run(reg: Registry | None, *args: str) -> Any:
    """``yibao report ARGS`` in process (against the registry's database, if any)."""
    return yibao("report", *args,
                 env={"YIBAO_DATABASE_URL": None if reg is None else reg.db_url})


#: county → (registered, paid, underpaid, pending, on_time, lapsed, lapsed_paid,
#:           history_unknown, late_start, waiting, collected_fen)
EXPECTED = {
    "450202": (6, 3, 0, 0, 2, 2, 1, 1, 2, 2, 120000),
    "450203": (1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 40000),
    "450802": (4, 3, 1, 0, 3, 0, 0, 0, 0, 0, 30000),
}
FIELDS = ("registered", "paid", "underpaid", "pending", "on_time", "lapsed", "lapsed_paid",
          "history_unknown", "late_start", "waiting", "collected_fen")


def _sum(*codes: str) -> tuple[int, ...]:
    return tuple(sum(EXPECTED[c][i] for c in codes) for i in range(len(FIELDS)))


def _by_code(rows: list[dict[str, Any]], level: str) -> dict[str, tuple[int, ...]]:
    return {r["code"]: tuple(int(r[f]) for f in FIELDS) for r in rows if r["level"] == level}


def test_exact_counts_per_county_and_city_from_sql(registry: Registry, tmp_path: Path) -> None:
    proc = run(registry, str(YEAR), "--as-of", AS_OF, "--json", "-o", str(tmp_path))
    assert proc.exit_code == 0, proc.stderr
    body = json.loads(proc.stdout)
    counties = _by_code(body["rows"], "county")
    for code, expected in EXPECTED.items():
        assert counties[code] == expected, code
    assert counties["450205"] == (0,) * len(FIELDS)  # every county of the province is listed
    cities = _by_code(body["rows"], "city")
    assert cities["450200"] == _sum("450202", "450203")
    assert cities["450800"] == _sum("450802")
    total = body["rows"][-1]
    assert total["level"] == "total" and tuple(int(total[f]) for f in FIELDS) == _sum(*EXPECTED)
    assert total["unpaid"] == 4 and total["paid_share"] == "0.6364"  # 7 of 11
    # 5 of the 7 paid on time: the two 0.00 payments of fully assisted residents count
    assert total["on_time_share"] == "0.7143" and total["collected"] == "1900.00"
    assert body["periods"][0]["first"] == "2024-09-01" and body["periods"][0]["last"] == "2024-12-31"
    # a later report date: both waiting residents are covered by July 1
    later = json.loads(run(registry, str(YEAR), "--as-of", "2025-07-01", "--json").stdout)
    assert _by_code(later["rows"], "county")["450202"][FIELDS.index("waiting")] == 0


def test_parquet_extract_gives_identical_numbers(registry: Registry, tmp_path: Path) -> None:
    extract = tmp_path / "extract.parquet"
    sql = run(registry, str(YEAR), "--as-of", AS_OF, "--json", "--extract", str(extract),
              "-o", str(tmp_path / "sql"))
    assert sql.exit_code == 0, sql.stderr
    table = pq.read_table(extract)
    assert table.num_rows == 11 and table.schema.metadata[b"yibao.coverage_year"] == b"2025"
    pq_run = run(None, str(YEAR), "--as-of", AS_OF, "--json", "--from-parquet", str(extract),
                 "-o", str(tmp_path / "pq"))
    assert pq_run.exit_code == 0, pq_run.stderr
    assert json.loads(pq_run.stdout) == json.loads(sql.stdout)
    assert (tmp_path / "pq" / "report-2025.csv").read_bytes() == \
        (tmp_path / "sql" / "report-2025.csv").read_bytes()
    for region in ("450200", "450802"):  # a scope, through both paths
        a = run(registry, str(YEAR), "--as-of", "2025-05-15", "--json", "--region", region)
        b = run(None, str(YEAR), "--as-of", "2025-05-15", "--json", "--region", region,
                "--from-parquet", str(extract))
        assert a.exit_code == b.exit_code == 0, a.stderr + b.stderr
        assert json.loads(a.stdout) == json.loads(b.stdout)


def test_csv_svg_png_files(registry: Registry, tmp_path: Path) -> None:
    proc = run(registry, str(YEAR), "--as-of", AS_OF, "--region", "450200", "-o", str(tmp_path))
    assert proc.exit_code == 0, proc.stderr
    assert "Registered" in proc.stdout and "登记" in proc.stdout and "城中区" in proc.stdout
    zh, en = proc.stdout.strip().splitlines()[-2:]
    assert zh.startswith("2025年度统计: 来自数据库") and en.startswith("report 2025: from the database")
    raw = (tmp_path / "report-2025-450200.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads a file with a BOM as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["层级"] for r in rows][-2:] == ["县（市、区）", "合计"]  # a city scope: no city row
    chengzhong = next(r for r in rows if r["区划代码"] == "450202")
    assert (chengzhong["地区"], chengzhong["登记人数"], chengzhong["已缴费"],
            chengzhong["缴费率"], chengzhong["已收金额（元）"]) == \
        ("城中区", "6", "3", "0.5000", "1200.00")
    proc = run(registry, str(YEAR), "--as-of", AS_OF, "--region", "450200", "--lang", "en",
               "-o", str(tmp_path / "en"))
    assert proc.exit_code == 0, proc.stderr
    with (tmp_path / "en" / "report-2025-450200.csv").open(encoding="utf-8-sig") as f:
        english = list(csv.DictReader(f))
    assert next(r for r in english if r["Code"] == "450202")["Collected (yuan)"] == "1200.00"
    assert english[-1]["Level"] == "total"
    svg = ET.parse(tmp_path / "report-2025-450200-county.svg").getroot()
    assert svg.tag.endswith("svg")
    names = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "城中区" in names and "鱼峰区" in names and "柳南区" not in names  # nobody there
    png = (tmp_path / "report-2025-450200-county.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000


@pytest.mark.parametrize(("args", "code", "words"), [
    (["1999"], "year", "没有1999年度的政策数据"),
    (["2025", "--region", "459999"], "region", "未知的行政区划代码"),
    (["2025", "--as-of", "2025-02-30"], "as_of", ""),
])
def test_bad_input_exits_2_in_chinese_and_english(
    registry: Registry, args: list[str], code: str, words: str
) -> None:
    proc = run(registry, *args)
    assert proc.exit_code == 2
    assert "错误" in proc.stderr and "error:" in proc.stderr and f"field: {code}" in proc.stderr
    assert words in proc.stderr


def test_extract_of_another_year_is_refused(registry: Registry, tmp_path: Path) -> None:
    extract = tmp_path / "e2024.parquet"
    assert run(registry, "2024", "--as-of", AS_OF, "--extract", str(extract)).exit_code == 0
    proc = run(None, "2025", "--from-parquet", str(extract))
    assert proc.exit_code == 2 and "2024" in proc.stderr and "not 2025" in proc.stderr
    missing = run(None, "2025", "--from-parquet", str(tmp_path / "nope.parquet"))
    assert missing.exit_code == 2 and "extract not found" in missing.stderr


def test_api_gives_the_same_report(registry: Registry, tmp_path: Path) -> None:
    cli = json.loads(run(registry, str(YEAR), "--as-of", AS_OF, "--json").stdout)
    with registry.client("auditor") as c:
        r = c.get(f"/api/v1/reports/{YEAR}", params={"as_of": AS_OF})
        assert r.status_code == 200, r.text
        assert r.json() == cli
        bad = c.get("/api/v1/reports/1999")
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_year"
        bad = c.get(f"/api/v1/reports/{YEAR}", params={"region": "459999"})
        assert bad.status_code == 422 and bad.json()["error"]["message_en"]
    assert httpx.get(f"{registry.base_url}/api/v1/reports/{YEAR}").status_code == 401


def test_without_o_the_files_go_to_the_output_folder_of_the_settings(
        registry: Registry, tmp_path: Path) -> None:
    proc = yibao("report", str(YEAR), "--as-of", AS_OF, "--region", "450802",
                 env={"YIBAO_DATABASE_URL": registry.db_url, "YIBAO_OUTPUT_DIR": str(tmp_path)})
    assert proc.exit_code == 0, proc.output
    folder = tmp_path / f"report-{YEAR}"
    assert (folder / f"report-{YEAR}-450802.csv").is_file()
    assert (folder / f"report-{YEAR}-450802-county.png").is_file()
    assert str(folder) in proc.stdout
