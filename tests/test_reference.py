"""Reference data from the seeds: channels, contacts, eligibility, back-payment, ..."""

from __future__ import annotations

from importlib.resources import files

import pytest
import yaml

from yibao.errors import InputError, UnknownRegion
from yibao.policy import reference_data as ref
from yibao.policy.contacts import contacts_for

CONTRACT_CHANNELS = [
    "tax12366_wechat",
    "wechat_city_service",
    "alipay_citizen_center",
    "zhiguitong",
    "gx_yibao",
    "lz_yibao_wechat",
    "unionpay_quickpass",
    "bank_counter",
    "rural_credit_point",
    "mobile_pos",
    "tax_hall",
]
GUIGANG_COUNTIES = ["450802", "450803", "450804", "450821", "450881"]
REFERENCE_FILES = [
    "channels.yaml",
    "contacts.yaml",
    "eligibility.yaml",
    "back_payment.yaml",
    "special_groups.yaml",
    "newborn_preregistration.yaml",
]


def _cited(source: str) -> bool:
    return source.startswith(
        ("《贵港市2021年度城乡居民医保参保缴费指南》 ", "《2025广西柳州居民医保断缴怎么补交》 ",
         "public service number", "国办发", "yibao《规则目录》")
    )


def test_channels_are_exactly_the_contracts() -> None:
    assert [c.code for c in ref.channels()] == CONTRACT_CHANNELS


def test_every_channel_cited_and_in_known_regions() -> None:
    regions = ref.load_regions()
    for ch in ref.channels():
        assert ch.sources and all(_cited(s) for s in ch.sources), ch.code
        assert ch.name and ch.name_en
        assert all(r in regions for r in ch.regions), ch.code
        for banks in ch.banks:
            assert banks.region in regions and banks.names and _cited(banks.source)


def test_channel_facts_from_the_seeds() -> None:
    assert ref.channel("lz_yibao_wechat").regions == ("450200",)
    assert ref.channel("zhiguitong").regions == ("450600",)
    assert ref.channel("tax12366_wechat").kind == "online"
    assert ref.channel("tax12366_wechat").steps[-1] == "支付成功"
    assert "“城市服务”" in ref.channel("wechat_city_service").steps
    assert ref.channel("alipay_citizen_center").steps[1] == "“社保”"
    assert {c.code for c in ref.channels() if c.kind == "offline"} == {
        "bank_counter",
        "rural_credit_point",
        "mobile_pos",
        "tax_hall",
    }
    banks = {b.region: b.names for b in ref.channel("bank_counter").banks}
    assert "北部湾银行" in banks["450800"] and len(banks["450800"]) == 10
    assert "光大银行" in banks["450200"] and "光大银行" not in banks["450800"]


def test_unknown_channel() -> None:
    with pytest.raises(InputError) as info:
        ref.channel("cash_in_envelope")
    assert info.value.code == "unknown_channel"
    assert info.value.field == "channel"


@pytest.mark.parametrize("county", GUIGANG_COUNTIES)
def test_guigang_counties_have_both_offices(county: str) -> None:
    local = [c for c in contacts_for(county) if c.region == county]
    kinds = {c.kind for c in local}
    assert kinds == {"medical_insurance_office", "tax_office"}
    for c in local:
        assert c.phones, c.name
        assert c.addresses, c.name
        assert all(p.number.startswith("0775-") for p in c.phones)


def test_gangbei_contacts() -> None:
    contacts = contacts_for("450802")
    numbers = {p.number for c in contacts for p in c.phones}
    assert {"0775-4259717", "0775-4586063"} <= numbers
    assert {"12393", "12366"} <= numbers
    office = next(c for c in contacts if c.kind == "medical_insurance_office")
    assert {p.purpose for p in office.phones} == {"征缴", "待遇", "转诊备案"}
    assert contacts[0].region == "450802"  # most specific first


def test_liuzhou_online_services() -> None:
    contacts = contacts_for("450205")
    urls = {c.url for c in contacts if c.url}
    assert urls == {"https://ybwt.ybj.gxzf.gov.cn/", "http://zwfw.gxzf.gov.cn/"}
    wechat = next(c for c in contacts if "柳州医保" in c.name)
    assert wechat.path == ("医保服务", "掌上办事", "我要办", "城乡居民医保参保登记")


def test_contacts_with_given_parent_map() -> None:
    parents = {"450802": "450800", "450800": None}
    assert [c.region for c in contacts_for("450802", parents)] == ["450802", "450802"]


def test_unknown_region() -> None:
    with pytest.raises(UnknownRegion) as info:
        contacts_for("459999")
    assert info.value.code == "unknown_region"


def test_every_contact_cited() -> None:
    for region in ["450802", "450200", "630000"]:
        for c in contacts_for(region):
            assert _cited(c.source), c.name


def test_eligibility_six_categories() -> None:
    cats = ref.eligibility_categories()
    assert [c.code for c in cats] == [
        "resident_hukou",
        "student",
        "farm_worker",
        "flexible_employment",
        "hk_mo_tw_foreign",
        "other_policy",
    ]
    assert all(c.source.startswith("《贵港市2021年度城乡居民医保参保缴费指南》 参保范围") for c in cats)
    assert "桂政发〔2007〕29号" in ref.eligibility_category("farm_worker").text
    with pytest.raises(InputError) as info:
        ref.eligibility_category("tourist")
    assert info.value.code == "unknown_eligibility_category"


def test_back_payment() -> None:
    bp = ref.back_payment_reference()
    types = {t.code for t in bp.application_types}
    assert {"employer_not_enrolled", "flexible_employment_unpaid", "veteran"} <= types
    modes = {m.code: m for m in bp.submission_modes}
    assert set(modes) == {"window", "online"}
    assert {p.url for p in modes["online"].platforms} == {
        "http://zwfw.gxzf.gov.cn/",
        "https://ybwt.ybj.gxzf.gov.cn/",
    }
    materials = {m.name: m for m in bp.materials}
    assert materials["基本医疗保险补缴申报表"].required == "always"
    assert materials["个人申请办理表"].required == "always"
    for conditional in ["劳动合同", "企业营业执照"]:
        m = materials[conditional]
        assert m.required == "conditional" and m.required_for and m.when
        assert set(m.required_for) <= types
    assert all(_cited(x.source) for x in [*bp.application_types, *bp.materials])


def test_special_groups() -> None:
    groups = {g.code: g for g in ref.special_groups()}
    assert {c for c, g in groups.items() if g.assistance == "full"} == {
        "tekun",
        "orphan",
        "fact_orphan",
    }
    assert {c for c, g in groups.items() if g.assistance == "fixed"} == {
        "dibao",
        "disabled_severe",
        "jisheng_special",
        "dibao_edge_minor",
        "fanpin_monitor",
    }
    assert groups["tekun"].name == "特困人员"
    assert all(g.sources and all(_cited(s) for s in g.sources) for g in groups.values())
    assert ref.special_group("dibao").name == "低保对象"
    with pytest.raises(InputError) as info:
        ref.special_group("vip")
    assert info.value.code == "unknown_special_group"
    assert info.value.field == "special_group"


def test_newborn_preregistration() -> None:
    nb = ref.newborn_preregistration()
    assert nb.document_type == "其他个人证件"
    assert nb.deadline_months == 3
    assert "作废" in nb.lapse_text
    assert "户籍登记" in nb.deadline_text
    assert any("广西户籍" in c.text for c in nb.conditions)
    assert any("定点医疗机构" in c.text for c in nb.conditions)
    for code in nb.pay_channels:
        assert ref.channel(code).kind == "online"
    assert _cited(nb.source) and all(_cited(c.source) for c in nb.conditions)


@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_reference_files_cite_documents_by_title(name: str) -> None:
    text = (files("yibao") / "policy" / "reference" / name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["seed_files"]
    for title, seed in data["seed_files"].items():
        assert title.startswith("《") and title.endswith("》") and seed.startswith("requirements source document 00")
    assert ".txt" not in text and "676d7a5" not in text and "dd7cd43d" not in text


def test_results_are_cached_and_frozen() -> None:
    assert ref.channels() is ref.channels()
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError on frozen
        ref.channel("tax_hall").kind = "online"  # type: ignore[misc]
