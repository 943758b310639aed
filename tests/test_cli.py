"""The ``yibao`` command through its real entry point (a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

YIBAO = str(Path(sys.executable).parent / "yibao")


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([YIBAO, *args], input=stdin, capture_output=True, text=True,
                          timeout=60, check=False)


def test_quote_json_from_stdin_guigang_2021() -> None:
    body = {"region": "450802", "coverage_year": 2021, "payment_date": "2021-03-15",
            "covered_years": [2019]}
    proc = run("quote", "--json", "-", stdin=json.dumps(body))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["amount_due"] == "280.00"
    assert result["benefit_start"] == "2021-06-01"
    assert {"R-START-GAP", "R-LAPSE-NOCLAIM"} <= {r["id"] for r in result["rules"]}
    assert "R-LAPSE-RESET" not in {r["id"] for r in result["rules"]}  # counted from 2025
    assert set(result) >= {"amount_due", "breakdown", "benefit_start", "benefit_end",
                           "waiting_months", "rules", "warnings", "missing"}


def test_quote_json_from_file_liuzhou_2025(tmp_path: Path) -> None:
    path = tmp_path / "req.json"
    path.write_text(json.dumps({"region": "450202", "coverage_year": 2025,
                                "payment_date": "2024-12-03", "covered_years": [2020]}))
    result = json.loads(run("quote", "--json", str(path)).stdout)
    assert result["benefit_start"] == "2025-07-01"
    assert result["waiting_months"] == {"fixed": 3, "variable": 3}


def test_quote_liuzhou_2024_late_payer() -> None:
    body = {"region": "450202", "coverage_year": 2024, "payment_date": "2024-07-01"}
    result = json.loads(run("quote", "--json", "-", stdin=json.dumps(body)).stdout)
    assert result["amount_due"] == "1050.00"
    assert result["breakdown"]["fiscal_subsidy"] == "670.00"


def test_bad_input_exits_2_with_a_json_error_and_a_message() -> None:
    body = {"region": "450202", "coverage_year": 2025, "payment_date": "2025-02-30"}
    proc = run("quote", "--json", "-", stdin=json.dumps(body))
    assert proc.returncode == 2
    error = json.loads(proc.stdout)["error"]
    assert error["code"] == "invalid_date" and error["field"] == "payment_date"
    assert error["message"] and error["message_en"]
    assert "payment_date" in proc.stderr


def test_not_json_exits_2() -> None:
    proc = run("quote", "--json", "-", stdin="{not json")
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"]["code"] == "invalid_json"


def test_unknown_key_and_bad_id_exit_2() -> None:
    for body, code in (
        ({"region": "450202", "coverage_year": 2025, "payment_date": "2025-02-03", "x": 1},
         "unknown_key"),
        ({"coverage_year": 2025, "payment_date": "2025-02-03", "id_number": "45020220240501123X"},
         "id_number_checksum"),
    ):
        proc = run("quote", "--json", "-", stdin=json.dumps(body))
        assert proc.returncode == 2
        assert json.loads(proc.stdout)["error"]["code"] == code


def test_quote_table_in_chinese() -> None:
    proc = run("quote", "--region", "450802", "--year", "2021", "--payment-date", "2021-03-15",
               "--covered-years", "2019")
    assert proc.returncode == 0, proc.stderr
    assert "应缴金额" in proc.stdout and "280.00" in proc.stdout and "2021-06-01" in proc.stdout


def test_rules_and_regions() -> None:
    listing = run("rules", "list")
    assert listing.returncode == 0 and "R-WAIT-REPAIR" in listing.stdout
    shown = run("rules", "show", "R-START-GAP")
    assert "三、中断缴费" in shown.stdout
    assert run("rules", "show", "R-NOPE").returncode == 2
    regions = json.loads(run("regions", "--parent", "450800", "--json").stdout)
    assert {r["code"] for r in regions} == {"450802", "450803", "450804", "450821", "450881"}


def test_batch_quote_parquet(tmp_path: Path) -> None:
    src = tmp_path / "people.csv"
    src.write_text("region,coverage_year,payment_date,covered_years\n"
                   "450802,2021,2021-03-15,2019\n450202,2025,2025-13-01,\n", encoding="utf-8")
    dst = tmp_path / "out.parquet"
    proc = run("batch", "quote", str(src), "-o", str(dst))
    assert proc.returncode == 0, proc.stderr
    rows = pq.read_table(dst).to_pylist()
    assert rows[0]["amount_due"] == 28000 and rows[0]["rule"] == "R-START-GAP"
    assert rows[1]["error"] == "invalid_value"
    assert "2 行" in proc.stderr


def test_batch_missing_file_exits_2(tmp_path: Path) -> None:
    proc = run("batch", "quote", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o.csv"))
    assert proc.returncode == 2
    assert "找不到" in proc.stderr


def test_batch_damaged_file_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    damaged = tmp_path / "people.parquet"
    damaged.write_bytes(b"PAR1 this is not really a parquet file")
    out = tmp_path / "quotes.parquet"
    proc = run("batch", "quote", str(damaged), "-o", str(out))
    assert proc.returncode == 2, proc.stderr
    assert "无法读取" in proc.stderr and "cannot read" in proc.stderr and not out.exists()
