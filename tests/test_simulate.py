"""What-if reforms: ``yibao simulate`` over a small population, checked by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from yibao.errors import InputError
from yibao.operations.reform import simulate
from yibao.policy.files import policy_with, shipped_policy

from .cli_runner import yibao

# Liuzhou 2025 (share 400): on time; paid late after July 1 (subsidy unpublished → unpriced);
# a tekun resident (0.00); a lapsed resident back-paying one year (400 + 400); a newborn
# paying the day after a 3-month window; Guigang 2021 (280, untouched by the reform); a bad row.
POPULATION = """region,coverage_year,payment_date,birth_date,special_group,covered_years,back_pay_years
450202,2025,2024-10-01,,,,
450202,2025,2025-07-10,,,,
450205,2025,2025-03-01,,tekun,,
450205,2025,2024-10-10,,,2022,2024
450205,2025,2025-06-11,2025-03-10,,,
450802,2021,2021-03-15,,,2019,
450202,2025,2025-02-30,,,,
"""
SHARE_420 = """description: what if the 2025 share rose to 420
unit: fen
values:
  "450000":
    - {from: 2025-01-01, to: 2025-12-31, value: 42000, source: "测算假设: 2025年度个人缴费标准420元"}
"""
WINDOW_4 = """description: what if the newborn window were 4 months
unit: period
values:
  "450000":
    - {from: 2021-01-01, to: 2027-12-31, value: {months: 4}, source: "测算假设: 新生儿窗口4个月"}
"""


def _folder(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "reform"
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def population(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(POPULATION, encoding="utf-8")
    return path


def _rows(table: object) -> dict[str, dict[str, int]]:
    return {r.pop("region"): r for r in table.to_pylist()}  # type: ignore[attr-defined]


def test_a_higher_share_costs_20_more_for_each_priced_share(tmp_path: Path, population: Path) -> None:
    reform = policy_with(_folder(tmp_path, individual_share=SHARE_420))
    rows = _rows(simulate(population, baseline=shipped_policy(), reform=reform).table())
    liu, guigang, total = rows["450205"], rows["450802"], rows["all"]
    # 450205: tekun 0 → 0; back-pay 400+400 → 420+420; newborn after the window 400 → 420
    assert (liu["persons"], liu["priced_baseline"], liu["priced_reform"]) == (3, 3, 3)
    assert (liu["total_due_baseline"], liu["total_due_reform"]) == (120000, 126000)
    assert liu["difference"] == 6000 and liu["start_moved"] == 0
    assert guigang["difference"] == 0 and guigang["total_due_baseline"] == 28000
    # 450202: on time 400 → 420; the late payer is unpriced under both; the bad row is an error
    assert rows["450202"]["persons"] == 3 and rows["450202"]["errors_baseline"] == 1
    assert rows["450202"]["priced_baseline"] == 1 and rows["450202"]["difference"] == 2000
    assert total["persons"] == 7 and total["difference"] == 8000
    assert rows["all"]["region_name"] == "合计"


def test_a_longer_newborn_window_moves_one_start_date(tmp_path: Path, population: Path) -> None:
    reform = policy_with(_folder(tmp_path, newborn_window=WINDOW_4))
    rows = _rows(simulate(population, baseline=shipped_policy(), reform=reform).table())
    assert rows["450205"]["start_moved"] == 1 and rows["all"]["start_moved"] == 1
    assert rows["all"]["difference"] == 0  # paid before July 1: the same 400


def test_cli_writes_the_table_and_the_chart(tmp_path: Path, population: Path) -> None:
    folder = _folder(tmp_path, individual_share=SHARE_420)
    out, chart = tmp_path / "diff.csv", tmp_path / "diff.svg"
    proc = yibao("simulate", "--reform", folder, "--population", population, "-o", out,
                 "--chart", chart, "--title", "个人缴费标准 400 → 420")
    assert proc.exit_code == 0, proc.output
    table = pacsv.read_csv(out, convert_options=pacsv.ConvertOptions(
        column_types={"region": "string"})).to_pylist()
    assert table[-1]["region"] == "all" and table[-1]["difference"] == 8000
    svg = chart.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "个人缴费标准 400 → 420" in svg and "+60.00 元" in svg
    assert (tmp_path / "diff.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "all 合计" in proc.stdout  # the table, then the summary
    assert "应缴总额变化 80.00 元" in proc.stdout and "total due changes by 80.00" in proc.stdout
    parquet = tmp_path / "diff.parquet"
    again = yibao("simulate", "--reform", folder, "--population", population, "-o", parquet,
                  "--json")
    assert again.exit_code == 0, again.output
    assert pq.read_table(parquet).num_rows == len(table)
    assert json.loads(again.stdout)["rows"][-1]["difference"] == 8000


def test_bad_input_exits_2(tmp_path: Path, population: Path) -> None:
    bad = _folder(tmp_path, individual_share=SHARE_420.replace("unit: fen", "unit: month"))
    for args in (["--reform", str(bad), "--population", str(population)],
                 ["--reform", str(tmp_path / "none"), "--population", str(population)],
                 ["--reform", str(bad.parent), "--population", str(tmp_path / "none.csv")]):
        proc = yibao("simulate", *args)
        assert proc.exit_code == 2, args
        assert proc.stderr.startswith("错误 ") and "Traceback" not in proc.output
    wrong = tmp_path / "people.txt"
    wrong.write_text("x", encoding="utf-8")
    with pytest.raises(InputError):
        simulate(wrong, baseline=shipped_policy(), reform=shipped_policy())
