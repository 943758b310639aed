"""The ``yibao`` command: the contract's quote and batch (§2, §3), one way to print
(Chinese first with English, ``--json`` on every command, exit 0/1/2), in process through
Typer's runner; a few through the installed entry point, where the process is the point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from .cli_runner import yibao

YIBAO = str(Path(sys.executable).parent / "yibao")
GUIGANG = {"region": "450802", "coverage_year": 2021, "payment_date": "2021-03-15",
           "covered_years": [2019]}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([YIBAO, *args], input=stdin, capture_output=True, text=True,
                          timeout=60, check=False)


# -- the real process: the entry point, python -m yibao, a pipe, exit codes --------------

def test_the_installed_command_reads_a_pipe_and_prints_one_json_result() -> None:
    proc = run("quote", "--json", "-", stdin=json.dumps(GUIGANG))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["amount_due"] == "280.00" and result["benefit_start"] == "2021-06-01"
    assert {"R-START-GAP", "R-LAPSE-NOCLAIM"} <= {r["id"] for r in result["rules"]}
    assert "R-LAPSE-RESET" not in {r["id"] for r in result["rules"]}  # counted from 2025
    assert set(result) >= {"amount_due", "breakdown", "benefit_start", "benefit_end",
                           "waiting_months", "rules", "warnings", "missing"}


def test_the_installed_command_exits_2_with_the_json_error_and_a_message() -> None:
    body = {"region": "450202", "coverage_year": 2025, "payment_date": "2025-02-30"}
    proc = run("quote", "--json", "-", stdin=json.dumps(body))
    assert proc.returncode == 2
    error = json.loads(proc.stdout)["error"]
    assert error["code"] == "invalid_date" and error["field"] == "payment_date"
    assert error["message"] and error["message_en"]
    assert "payment_date" in proc.stderr and "错误" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_python_dash_m_yibao_is_the_same_command(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "yibao", "regions", "--parent", "450800",
                           "--json"], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert {r["code"] for r in json.loads(proc.stdout)} == {
        "450802", "450803", "450804", "450821", "450881"}


def test_a_database_that_cannot_be_reached_exits_1_in_one_message(tmp_path: Path) -> None:
    proc = subprocess.run([YIBAO, "payments", "settle"], capture_output=True, text=True,
                          timeout=60, check=False,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                               "YIBAO_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:9/x"})
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 2
    assert "无法连接" in proc.stderr and "127.0.0.1:9/x" in proc.stderr


# -- in process -------------------------------------------------------------------------

def test_quote_json_from_a_file_liuzhou_2025(tmp_path: Path) -> None:
    path = tmp_path / "req.json"
    path.write_text(json.dumps({"region": "450202", "coverage_year": 2025,
                                "payment_date": "2024-12-03", "covered_years": [2020]}))
    result = yibao("quote", "--json", path)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["benefit_start"] == "2025-07-01"
    assert answer["waiting_months"] == {"fixed": 3, "variable": 3}


def test_quote_liuzhou_2024_late_payer() -> None:
    body = {"region": "450202", "coverage_year": 2024, "payment_date": "2024-07-01"}
    answer = json.loads(yibao("quote", "--json", "-", input=json.dumps(body)).stdout)
    assert answer["amount_due"] == "1050.00"
    assert answer["breakdown"]["fiscal_subsidy"] == "670.00"


@pytest.mark.parametrize(("stdin", "code"), [
    ("{not json", "invalid_json"),
    (json.dumps({"region": "450202", "coverage_year": 2025, "payment_date": "2025-02-03",
                 "x": 1}), "unknown_key"),
    (json.dumps({"coverage_year": 2025, "payment_date": "2025-02-03",
                 "id_number": "45020220240501123X"}), "id_number_checksum"),
])
def test_bad_input_exits_2_with_one_json_error(stdin: str, code: str) -> None:
    result = yibao("quote", "--json", "-", input=stdin)
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == code
    assert result.stderr.startswith("错误 ")


def test_quote_without_json_is_a_chinese_table() -> None:
    result = yibao("quote", "--region", "450802", "--year", "2021", "--payment-date",
                   "2021-03-15", "--covered-years", "2019")
    assert result.exit_code == 0, result.output
    assert "应缴金额" in result.stdout and "280.00" in result.stdout
    assert "2021-06-01" in result.stdout and not result.stdout.lstrip().startswith("{")
    machine = yibao("quote", "--region", "450802", "--year", "2021", "--payment-date",
                    "2021-03-15", "--output-json")
    assert json.loads(machine.stdout)["amount_due"] == "280.00"


def test_rules_and_regions_in_words_and_as_json() -> None:
    listing = yibao("rules", "list")
    assert listing.exit_code == 0 and "R-WAIT-REPAIR" in listing.stdout
    assert {r["id"] for r in json.loads(yibao("rules", "list", "--json").stdout)} >= {
        "R-WAIT-REPAIR", "R-START-GAP"}
    shown = yibao("rules", "show", "R-START-GAP")
    assert "三、中断缴费" in shown.stdout
    missing = yibao("rules", "show", "R-NOPE", "--json")
    assert missing.exit_code == 2
    assert json.loads(missing.stdout)["error"]["code"] == "unknown_rule"
    regions = json.loads(yibao("regions", "--parent", "450800", "--json").stdout)
    assert {r["code"] for r in regions} == {"450802", "450803", "450804", "450821", "450881"}


def test_flexible_employment_in_both_languages_and_as_json() -> None:
    words = yibao("flexible-employment", "--region", "210600", "--year", "2024")
    assert words.exit_code == 0, words.output
    zh, en = words.stdout.strip().splitlines()
    assert "每月" in zh and "a month" in en
    machine = json.loads(yibao("flexible-employment", "--region", "210600", "--year", "2024",
                               "--json").stdout)
    assert machine["year"] == 2024 and machine["monthly"]
    unknown = yibao("flexible-employment", "--region", "999999", "--year", "2024", "--json")
    assert unknown.exit_code == 2 and json.loads(unknown.stdout)["error"]["field"] == "region"


def test_batch_quote_csv_to_parquet(tmp_path: Path) -> None:
    src = tmp_path / "people.csv"
    src.write_text("region,coverage_year,payment_date,covered_years\n"
                   "450802,2021,2021-03-15,2019\n450202,2025,2025-13-01,\n", encoding="utf-8")
    dst = tmp_path / "out.parquet"
    result = yibao("batch", "quote", src, "-o", dst, "--workers", "1")
    assert result.exit_code == 0, result.output
    rows = pq.read_table(dst).to_pylist()
    assert rows[0]["amount_due"] == 28000 and rows[0]["rule"] == "R-START-GAP"
    assert rows[1]["error"] == "invalid_value"
    zh, en = result.stdout.strip().splitlines()
    assert "报价 2 行" in zh and "1 行有错误" in zh and "2 rows quoted, 1 with an error" in en
    machine = yibao("batch", "quote", src, "-o", dst, "--workers", "1", "--json")
    assert json.loads(machine.stdout) | {"seconds": 0} == {
        "rows": 2, "errors": 1, "output": str(dst), "encoding": "utf-8", "seconds": 0}


def test_batch_missing_or_damaged_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    missing = yibao("batch", "quote", tmp_path / "nope.csv", "-o", tmp_path / "o.csv")
    assert missing.exit_code == 2 and "找不到" in missing.stderr
    damaged = tmp_path / "people.parquet"
    damaged.write_bytes(b"PAR1 this is not really a parquet file")
    out = tmp_path / "quotes.parquet"
    result = yibao("batch", "quote", damaged, "-o", out, "--json")
    assert result.exit_code == 2, result.output
    assert json.loads(result.stdout)["error"]["code"] == "unreadable_file"
    assert "无法读取" in result.stderr and "cannot read" in result.stderr and not out.exists()


def test_a_mistyped_command_line_is_bad_input_in_both_languages() -> None:
    typo = yibao("renewal", "2025", "--reusme")
    assert typo.exit_code == 2
    zh, en = typo.stderr.strip().splitlines()
    assert zh.startswith("错误 命令用法有误") and "--resume" in zh and "renewal --help" in zh
    assert en.startswith("error: wrong usage")
    missing = yibao("user", "add", "bob", "--json")
    assert missing.exit_code == 2
    error = json.loads(missing.stdout)["error"]
    assert (error["code"], error["field"]) == ("usage", "role")
    assert yibao("report", "twenty").exit_code == 2
