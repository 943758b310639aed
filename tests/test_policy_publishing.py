"""Publishing a year's figures without a release (contract §5): a folder laid over the
shipped parameter files, checked, shown, diffed, and answering in CLI and batch."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from yibao.errors import PolicyDataError
from yibao.policy.files import check_folder, lay_over, policy_with, shipped_policy
from yibao.policy.view import diff_policies
from yibao.quoting.answers import answer_many
from yibao.rules.policy import ParamEntry

from .cli_runner import yibao

SHARE_2026 = """description: 个人缴费标准
unit: fen
values:
  "450000":
    - {from: 2026-01-01, to: 2026-12-31, value: 42000, source: "广西2026年度个人缴费标准 (测试用, 2025-08-20)"}
"""


def publish(folder: Path, name: str = "individual_share", text: str = SHARE_2026) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def run(*args: str, folder: Path | None = None, stdin: str | None = None) -> Any:
    """``yibao ARGS`` in process, with ``folder`` published (YIBAO_POLICY_DIR) or none."""
    return yibao(*args, input=stdin,
                 env={"YIBAO_POLICY_DIR": None if folder is None else str(folder)})


def _entry(start: str, end: str, value: int, region: str = "450000") -> ParamEntry:
    return ParamEntry("individual_share", region, dt.date.fromisoformat(start),
                      dt.date.fromisoformat(end), value, True, "测试来源")


def test_a_published_value_cuts_the_shipped_range_around_it() -> None:
    shipped = [_entry("2025-01-01", "2027-12-31", 1), _entry("2025-01-01", "2027-12-31", 9, "450800")]
    merged = lay_over(shipped, [_entry("2026-01-01", "2026-12-31", 2)])
    ranges = sorted((e.region, e.valid_from.year, e.valid_to.year, e.value) for e in merged)
    assert ranges == [("450000", 2025, 2025, 1), ("450000", 2026, 2026, 2),
                      ("450000", 2027, 2027, 1), ("450800", 2025, 2027, 9)]


def test_publishing_the_2026_share_answers_2026_and_leaves_2027_unpublished(tmp_path: Path) -> None:
    policy = policy_with(publish(tmp_path / "pub"))
    assert policy.resolve("individual_share", "450202", 2026).value == 42000  # type: ignore[union-attr]
    later = policy.resolve("individual_share", "450202", 2027)
    assert later is not None and not later.published
    assert policy.resolve("individual_share", "450802", 2021).value == 28000  # type: ignore[union-attr]
    shipped = shipped_policy()
    assert policy.version_of("450202", 2026) != shipped.version_of("450202", 2026)
    assert policy.version_of("450802", 2021) == shipped.version_of("450802", 2021)


@pytest.mark.parametrize(("text", "code", "names"), [
    (SHARE_2026.replace('source: "广西2026年度个人缴费标准 (测试用, 2025-08-20)"', 'source: ""'),
     "policy_no_source", ["individual_share.yaml", "450000", "来源"]),
    (SHARE_2026.replace("value: 42000,", "value: 42000,")
     + '    - {from: 2026-06-01, to: 2027-12-31, value: 43000, source: "第二个测试来源"}\n',
     "policy_overlap", ["individual_share.yaml", "450000", "重叠"]),
    (SHARE_2026.replace("unit: fen", "unit: months"), "policy_unit",
     ["individual_share.yaml", "单位"]),
    (SHARE_2026.replace("42000", "420.5"), "policy_value", ["individual_share.yaml", "450000"]),
    (SHARE_2026.replace('"450000"', '"459999"'), "policy_region", ["individual_share.yaml", "459999"]),
])
def test_a_bad_folder_is_refused_naming_file_region_and_problem(
    tmp_path: Path, text: str, code: str, names: list[str]
) -> None:
    folder = publish(tmp_path / "bad", text=text)
    (problem,) = check_folder(folder)
    assert problem.code == code
    assert all(n in problem.message for n in names), problem.message
    assert "individual_share.yaml" in problem.message_en
    with pytest.raises(PolicyDataError):
        policy_with(folder)
    proc = run("policy", "check", str(folder))
    assert proc.exit_code == 2
    assert "individual_share.yaml" in proc.stderr and "第" in proc.stderr


def test_a_file_named_after_no_parameter_is_refused(tmp_path: Path) -> None:
    folder = publish(tmp_path / "pub", name="individual_shares")
    (problem,) = check_folder(folder)
    assert problem.code == "policy_unknown_parameter" and "individual_shares" in problem.message
    assert check_folder(tmp_path / "nowhere")[0].code == "policy_dir"


def test_policy_check_show_and_diff(tmp_path: Path) -> None:
    folder = publish(tmp_path / "pub")
    ok = run("policy", "check", str(folder), "--json")
    assert ok.exit_code == 0, ok.stderr
    assert json.loads(ok.stdout)["files"] == ["individual_share.yaml"]
    shown = json.loads(run("policy", "show", "individual_share", "--region", "450202", "--json",
                           folder=folder).stdout)
    years = {y["year"]: y for y in shown["years"]}
    assert years[2026]["shown"] == "420.00元" and years[2026]["from_region"] == "450000"
    assert years[2027]["status"] == "unpublished"
    assert run("policy", "show", "no_such_thing").exit_code == 2
    changes = json.loads(run("policy", "diff", str(folder), "--json").stdout)
    assert changes == [{"parameter": "individual_share", "region": "450000",
                        "region_name": "广西壮族自治区", "before": "未公布", "after": "420.00元",
                        "source": "广西2026年度个人缴费标准 (测试用, 2025-08-20)",
                        "first_year": 2026, "last_year": 2026}]
    assert diff_policies(shipped_policy(), shipped_policy()) == []


def test_a_published_figure_answers_in_the_cli_and_in_a_batch(tmp_path: Path) -> None:
    folder = publish(tmp_path / "pub")
    body = json.dumps({"region": "450202", "coverage_year": 2026, "payment_date": "2025-11-01"})
    before = json.loads(run("quote", "--json", "-", stdin=body).stdout)
    after = json.loads(run("quote", "--json", "-", stdin=body, folder=folder).stdout)
    assert before["amount_due"] is None and before["missing"] == ["individual_share"]
    assert after["amount_due"] == "420.00" and after["missing"] == []
    assert before["policy_version"] != after["policy_version"]
    src, dst = tmp_path / "people.csv", tmp_path / "quotes.parquet"
    src.write_text("region,coverage_year,payment_date\n450202,2026,2025-11-01\n"
                   "450802,2021,2021-03-15\n", encoding="utf-8")
    assert run("batch", "quote", str(src), "-o", str(dst), "--workers", "1",
               folder=folder).exit_code == 0
    assert [r["amount_due"] for r in pq.read_table(dst).to_pylist()] == [42000, 28000]


def test_a_bad_published_folder_stops_the_cli_with_exit_2(tmp_path: Path) -> None:
    folder = publish(tmp_path / "bad", text=SHARE_2026.replace("unit: fen", "unit: months"))
    body = json.dumps({"region": "450202", "coverage_year": 2025, "payment_date": "2025-01-01"})
    proc = run("quote", "--json", "-", stdin=body, folder=folder)
    assert proc.exit_code == 2
    assert json.loads(proc.stdout)["error"]["code"] == "policy_unit"
    assert "individual_share.yaml 第2行" in proc.stderr and "months" in proc.stderr


def test_every_answer_carries_the_version_of_its_figures() -> None:
    requests = [{"region": "450202", "coverage_year": 2025, "payment_date": "2025-01-01"},
                {"region": "450205", "coverage_year": 2025, "payment_date": "2025-02-01"},
                {"region": "450802", "coverage_year": 2021, "payment_date": "2021-03-15"}]
    versions = [q.policy_version for q in answer_many(requests)]  # type: ignore[union-attr]
    assert all(len(v) == 12 for v in versions)
    assert versions[0] == versions[1] != versions[2]
