"""docs/fidelity.md: every checkable statement of the two requirement documents, where yibao
has it and the tests that pin it — and the pins the table needs that no other test holds
(contacts, online steps, bank lists, channels, lapse notes, Liaoning's office)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from yibao.policy import reference_data as ref
from yibao.policy.contacts import contacts_for
from yibao.quoting.answers import flexible_employment, quote

ROOT = Path(__file__).parents[1]
TABLE = ROOT / "docs" / "fidelity.md"
KINDS = {"figure", "date", "rule", "channel", "contact", "region item"}
WHERE = ("computed", "data", "cited note")
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")


def _rows() -> list[dict[str, str]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].isdigit():
            rows.append(dict(zip(("n", "document", "statement", "kind", "where", "tests"),
                                 cells, strict=True)))
    return rows


def _tests(row: dict[str, str]) -> list[str]:
    return re.findall(r"`(tests/[^`]+)`", row["tests"])


def _unescape(node_id: str) -> str:
    """pytest writes non-ASCII parameter ids escaped (``\\u4e09``); the table writes them plainly."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1)[1:], 16)), node_id)


@cache
def _collected(files: tuple[str, ...]) -> frozenset[str]:
    """The node ids pytest collects from ``files`` (in a child process: the suite as it is)."""
    env = {**os.environ, "YIBAO_TEST_LOG_OWNER": os.environ.get("YIBAO_TEST_LOG_OWNER", "fidelity")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-p", "no:randomly", *files],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False, env=env)
    ids = frozenset(_unescape(line.strip()) for line in done.stdout.splitlines()
                    if "::" in line and not line.startswith(" "))
    assert ids, done.stdout[-2000:] + done.stderr[-2000:]
    return ids


def test_the_table_has_every_statement_numbered_once_with_a_kind_and_a_place() -> None:
    rows = _rows()
    assert [int(r["n"]) for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) >= 100
    for row in rows:
        assert row["kind"] in KINDS, row["n"]
        assert row["where"].startswith(WHERE) or "; cited note" in row["where"], row["n"]
        assert row["statement"] and row["document"], row["n"]


def test_every_statement_has_a_test() -> None:
    missing = [r["n"] for r in _rows() if not _tests(r)]
    assert not missing, f"statements without a test: {missing}"


def _gone(listed: set[str], collected: frozenset[str]) -> list[str]:
    plain = {c.split("[")[0] for c in collected}
    return sorted(t for t in listed if t not in collected and not ("[" not in t and t in plain))


def test_every_listed_test_exists(request: pytest.FixtureRequest) -> None:
    listed = {t for r in _rows() for t in _tests(r)}
    files = tuple(sorted({t.split("::")[0] for t in listed}))
    for f in files:
        assert (ROOT / f).is_file(), f
    # the tests this session collected (every worker collects the whole suite); a test it
    # did not (a run of some files, a deselected marker) is looked for in a collection of its own
    gone = _gone(listed, frozenset(_unescape(item.nodeid) for item in request.session.items))
    if gone:
        gone = _gone(listed, _collected(files))
    assert not gone, "tests named in docs/fidelity.md that no longer exist:\n" + "\n".join(gone)


def test_every_region_item_of_the_documents_has_its_rows() -> None:
    """Each short item after 《2025广西柳州居民医保断缴怎么补交》's main text has at least one row."""
    titles = {m for r in _rows() for m in re.findall(r"L›《([^》]+)》", r["document"])}
    assert len(titles) == 19, sorted(titles)


# --- pins of reference data the table points at ------------------------------------------

#: seed 000 "业务咨询联系方式", copied by hand: phones (area code 0775 completed as in the
#: same column) and a piece of each address
CONTACTS = {
    ("450881", "medical_insurance_office"): ({"0775-3394566", "0775-3383863", "0775-3330922",
                                              "0775-3330911"}, ["桂平市西山镇禄棠路9号"]),
    ("450821", "medical_insurance_office"): ({"0775-7828565", "0775-7831186", "0775-7837203",
                                              "0775-2793310"}, ["平南县政务服务中心三楼A区医保窗口"]),
    ("450802", "medical_insurance_office"): ({"0775-4259717", "0775-4253381", "0775-4253390"},
                                             ["港宁花园兴贵路130号"]),
    ("450803", "medical_insurance_office"): ({"0775-4351376", "0775-2777357", "0775-2777358",
                                              "0775-2777359"}, ["港龙湾花园小区西面2号商铺"]),
    ("450804", "medical_insurance_office"): ({"0775-6797772", "0775-6797770"},
                                             ["覃塘区人力资源和社会保障局二楼", "覃塘区政务服务中心一楼"]),
    ("450881", "tax_office"): ({"0775-3378878"}, ["桂平市政务中心(原国会大厦)二楼"]),
    ("450821", "tax_office"): ({"0775-7838077"}, ["平南县政务中心办税服务厅B区"]),
    ("450802", "tax_office"): ({"0775-4586063", "0775-4206279"},
                               ["贵港市政务中心二楼", "港北区政务中心二楼"]),
    ("450803", "tax_office"): ({"0775-2772501"}, ["国家税务总局港南区税务局办税服务厅"]),
    ("450804", "tax_office"): ({"0775-4861291"}, ["国家税务总局覃塘区税务局办税服务厅"]),
}


def _plain(text: str) -> str:
    return text.replace("（", "(").replace("）", ")").replace(" ", "")


@pytest.mark.parametrize(("region", "kind"), sorted(CONTACTS), ids=lambda v: str(v))
def test_contacts_are_those_of_the_guide(region: str, kind: str) -> None:
    phones, places = CONTACTS[(region, kind)]
    (office,) = [c for c in contacts_for(region) if c.region == region and c.kind == kind]
    assert {p.number for p in office.phones} == phones
    addresses = _plain("".join(office.addresses))
    assert all(_plain(place) in addresses for place in places), office.addresses


#: the online steps of seed 000 "缴费方式" (and seed 001 "缴费渠道"), in order
STEPS = {
    "tax12366_wechat": ["广西税务12366", "办一办", "居民缴社保费", "输入身份证号码和姓名", "自主缴费",
                        "代他人缴费", "医保保险", "社保经办机构", "缴费年份", "查询", "下一步",
                        "选择缴费方式", "支付成功"],
    "wechat_city_service": ["我", "支付", "城市服务", "广西社保缴纳", "社保缴纳", "医疗",
                            "身份证号码、姓名", "缴费年度", "确认经办机构", "去支付"],
    "alipay_citizen_center": ["市民中心", "社保", "居民医保缴费", "身份证号及姓名", "缴费年度",
                              "确认经办机构", "完成支付"],
}


@pytest.mark.parametrize("code", sorted(STEPS))
def test_online_steps_are_those_of_the_documents(code: str) -> None:
    text = "→".join(ref.channel(code).steps)
    at = 0
    for word in STEPS[code]:
        found = text.find(word, at)
        assert found >= 0, (code, word)
        at = found + len(word)


BANKS = {
    "450800": ["工商银行", "农业银行", "中国银行", "建设银行", "交通银行", "邮政储蓄银行", "北部湾银行",
               "桂林银行", "柳州银行", "农村信用社"],
    "450200": ["农村信用社", "邮政储蓄银行", "工商银行", "农业银行", "建设银行", "交通银行", "光大银行",
               "北部湾银行", "桂林银行", "柳州银行"],
}


@pytest.mark.parametrize("region", sorted(BANKS))
def test_bank_lists_are_those_of_the_documents(region: str) -> None:
    banks = {b.region: list(b.names) for b in ref.channel("bank_counter").banks}
    assert banks[region] == BANKS[region]


def test_seed_001_payment_channels_reach_liuzhou() -> None:
    """缴费渠道 / 缴费方式: the online and offline channels named for Liuzhou, available there."""
    chain = set(ref.region_chain("450202"))
    here = {c.code: c for c in ref.channels() if chain & set(c.regions)}
    online = {"lz_yibao_wechat", "gx_yibao", "tax12366_wechat", "wechat_city_service",
              "alipay_citizen_center", "unionpay_quickpass"}
    offline = {"bank_counter", "rural_credit_point", "mobile_pos", "tax_hall"}
    assert online <= set(here) and offline <= set(here)
    assert {here[c].kind for c in online} == {"online"}
    assert {here[c].kind for c in offline} == {"offline"}
    assert "广西医保" in here["gx_yibao"].name and "云闪付" in here["unionpay_quickpass"].name


def test_the_other_effects_of_a_lapse_are_cited_notes() -> None:
    answer = quote({"region": "450202", "coverage_year": 2025, "payment_date": "2025-03-01",
                    "covered_years": [2022]})
    notes = {n["text"]: n["source"] for n in answer["notes"]}
    for words, item in (("报销比例可能降低", "4"), ("近亲属的职工医保个人账户", "5"), ("子女入学", "6")):
        (text,) = [t for t in notes if words in t]
        assert notes[text].endswith(f"居民医保断缴后有哪些影响 {item}")
        assert "《2025广西柳州居民医保断缴怎么补交》" in notes[text]


def test_liaoning_sends_workers_near_retirement_to_the_office() -> None:
    answer = flexible_employment("210600", on=date(2025, 3, 1), birth_date=date(1970, 6, 1),
                                 sex="female")["online"]
    assert answer["may_pay_online"] is False
    assert "医保大厅或各镇办党群服务中心医保窗口核定缴费" in answer["text"]
    assert "辽宁省灵活就业医保网上缴费时间" in answer["source"]
