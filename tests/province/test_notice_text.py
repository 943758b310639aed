"""The notices' text setting and whom they name to call: a phone number, an amount, a date or
a masked ID number is never split across lines, Chinese punctuation never starts a line,
and the contacts are publishable through the policy folder (``contacts.yaml``) and checked
by ``yibao policy check`` like the figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yibao.operations.renewal.notices import _contact_lines, lines_of
from yibao.policy.contacts import contacts_for

from ..cli_runner import yibao

#: a fixed-width measure: CJK characters 2 units, everything else 1
WIDE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def measure(text: str) -> float:
    return float(sum(2 if WIDE.match(c) else 1 for c in text))


UNBREAKABLE = ["0775-4259717", "12393", "420.00 元", "2027年4月1日", "450802********0010"]


@settings(deadline=None)
@given(width=st.integers(min_value=22, max_value=70),
       parts=st.lists(st.sampled_from(["港北区医疗保障局：", "（征缴）", "、", "，", "。",
                                       "请拨打", "待遇从", "起",
                                       *(f"{u}、" for u in UNBREAKABLE)]),  # as printed
                      min_size=1, max_size=30))
def test_no_number_date_or_amount_is_split_and_no_line_starts_with_punctuation(
        width: int, parts: list[str]) -> None:
    text = "".join(parts)
    lines = lines_of(text, width, measure)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost
    joined = "\n".join(lines)
    for unit in UNBREAKABLE:
        assert joined.count(unit) == text.count(unit), (unit, lines)  # each one whole
    assert not any(line[0] in "，。、；：）" for line in lines[1:]), lines  # a break never does
    assert all(measure(line) <= width for line in lines), lines  # ragged-right, in the margin


def test_a_county_without_offices_is_told_whom_to_call() -> None:
    with_offices = _contact_lines("450802", contacts_for("450802"))
    assert with_offices[0].startswith("港北区医疗保障局：0775-4259717（征缴）")
    assert with_offices[-1] == "全国服务热线：全国医疗保障服务热线12393、全国纳税缴费服务热线12366"
    without = _contact_lines("450102", contacts_for("450102"))
    assert len(without) == 1 and without[0].startswith("本地医保经办机构和税务部门的电话暂未收录")
    assert "12393" in without[0] and "12366" in without[0] and "政务服务中心" in without[0]


CONTACTS = """contacts:
  - region: "450102"
    kind: medical_insurance_office
    name: 兴宁区医疗保障局
    phones:
      - {number: "0771-5611234", purpose: 参保缴费}
    source: 兴宁区医疗保障局公告(验证用)
"""


def test_contacts_are_published_through_the_policy_folder(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    from yibao.policy.files import reload_policy
    from yibao.settings import get_settings

    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "contacts.yaml").write_text(CONTACTS, encoding="utf-8")
    checked = yibao("policy", "check", str(folder))
    assert checked.exit_code == 0, checked.output
    monkeypatch.setenv("YIBAO_POLICY_DIR", str(folder))
    get_settings.cache_clear()
    reload_policy()
    try:
        lines = _contact_lines("450102", contacts_for("450102"))
        assert lines[0] == "兴宁区医疗保障局：0771-5611234（参保缴费）"
        assert "电话暂未收录" not in "".join(lines)
        assert contacts_for("450802")[0].name == "港北区医疗保障局"  # others as shipped
    finally:
        monkeypatch.delenv("YIBAO_POLICY_DIR")
        get_settings.cache_clear()
        reload_policy()
    assert "电话暂未收录" in _contact_lines("450102", contacts_for("450102"))[0]


@pytest.mark.parametrize(("bad", "field", "zh", "en"), [
    ('"0771 5611234"', "phones", "写法不对", "not written as dialled"),
    ('"77156112"', "phones", "写法不对", "not written as dialled"),
])
def test_yibao_policy_check_refuses_a_phone_not_written_as_dialled(
        tmp_path: Path, bad: str, field: str, zh: str, en: str) -> None:
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "contacts.yaml").write_text(CONTACTS.replace('"0771-5611234"', bad),
                                          encoding="utf-8")
    result = yibao("policy", "check", str(folder), "--json")
    assert result.exit_code == 2
    assert zh in result.stderr and en in result.stderr
    assert "contacts.yaml" in result.stderr and "第6行" in result.stderr


def test_yibao_policy_check_refuses_an_unknown_region_and_a_missing_source(
        tmp_path: Path) -> None:
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "contacts.yaml").write_text(CONTACTS.replace('"450102"', '"459999"'),
                                          encoding="utf-8")
    result = yibao("policy", "check", str(folder))
    assert result.exit_code == 2 and "459999" in result.stderr and "第2行" in result.stderr
    (folder / "contacts.yaml").write_text(
        CONTACTS.replace("    source: 兴宁区医疗保障局公告(验证用)\n", ""), encoding="utf-8")
    result = yibao("policy", "check", str(folder))
    assert result.exit_code == 2 and "source" in result.stderr
