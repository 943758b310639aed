"""Citations people read: documents by title and section, only those that speak for the
answer's region and year (a Liuzhou news item is never cited to a Guigang resident, nor
Guigang's guide to a Liuzhou resident), and no developer note on any page or CLI line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from yibao.rules.registry import RULES, TILT_RULE
from yibao.rules.sources import DOCUMENTS, NO_LOCAL_DOCUMENT, for_people

POLICY = Path(__file__).parents[2] / "src" / "yibao" / "policy"
GUIGANG = "《贵港市2021年度城乡居民医保参保缴费指南》"
LIUZHOU = "《2025广西柳州居民医保断缴怎么补交》"
#: what only developers read: yibao's catalogue, its conventions and rule IDs, its notes
DEVELOPER = re.compile(r"yibao|规则目录|约定\d|未见|\bC\d{1,2}\b|R-[A-Z]|seed|\.md|\.txt|"
                       r"需求文件|URLs|public service")


def developer_note(text: str) -> re.Match[str] | None:
    """The first developer note in ``text`` (the one plain sentence for no local document
    aside)."""
    return DEVELOPER.search(text.replace(NO_LOCAL_DOCUMENT, ""))


def _sources() -> set[str]:
    found: set[str] = {r.source for r in (*RULES, TILT_RULE)}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("source", "sources"):
                    found.update(v for v in (value if isinstance(value, list) else [value])
                                 if isinstance(v, str))
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in POLICY.rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("region", ["450802", "450200", "450305", "450000", "630000", "445281"])
@pytest.mark.parametrize("year", [2021, 2024, 2025, 2026])
def test_no_citation_carries_a_developer_note(region: str, year: int) -> None:
    for source in _sources():
        words = for_people(source, region=region, year=year)
        assert not developer_note(words), (source, words)
        assert words, source


def test_a_document_is_cited_only_where_and_when_it_speaks() -> None:
    both = f"{GUIGANG} 缴费标准; {LIUZHOU} 注意事项"
    assert for_people(both, region="450802", year=2021) == f"{GUIGANG} 缴费标准"
    assert for_people(both, region="450202", year=2025) == f"{LIUZHOU} 注意事项"
    assert for_people(both, region="450802", year=2025) == NO_LOCAL_DOCUMENT  # neither
    assert for_people(both, region="450202", year=2021) == NO_LOCAL_DOCUMENT
    national = "《国务院办公厅关于健全基本医疗保险参保长效机制的指导意见》(国办发〔2024〕38号, 2024-07-26): …"
    assert for_people(f"{LIUZHOU} 注意事项 等待期; {national}", region="450802", year=2025) == \
        "《国务院办公厅关于健全基本医疗保险参保长效机制的指导意见》(国办发〔2024〕38号)"
    guilin = f"{LIUZHOU} 相关推荐《2025广西桂林居民医保断缴怎么补交》 一、断缴影响: …"
    assert for_people(guilin, region="450305", year=2025) == \
        "《2025广西桂林居民医保断缴怎么补交》 一、断缴影响"  # the item, not its host
    assert for_people(guilin, region="450202", year=2025) == NO_LOCAL_DOCUMENT
    assert DOCUMENTS[GUIGANG].region == "450800" and DOCUMENTS[LIUZHOU].region == "450200"


def _client() -> Any:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from yibao.web import mount_web

    app = FastAPI()
    mount_web(app)
    return TestClient(app)


def _citations(page: str) -> list[str]:
    return re.findall(r"<cite[^>]*>(.*?)</cite>", page, re.S)


@pytest.mark.parametrize(("region", "year", "paid", "mine", "other"), [
    ("450802", 2021, "2021-03-15", GUIGANG, LIUZHOU),  # 港北区, Guigang
    ("450802", 2025, "2025-03-15", None, LIUZHOU),
    ("450202", 2025, "2025-03-15", LIUZHOU, GUIGANG),  # 城中区, Liuzhou
])
def test_each_answer_cites_only_its_own_documents(
        region: str, year: int, paid: str, mine: str | None, other: str) -> None:
    client = _client()
    for lang in ("zh", "en"):
        page = client.post(f"/?lang={lang}", data={
            "region": region, "coverage_year": str(year), "payment_date": paid,
            "insured_last_year": "no", "last_paid_year": str(year - 3),
            "special_group": ""}).text
        cited = _citations(page)
        assert cited, (region, year)
        text = " ".join(cited)
        assert other not in text, (region, year, text)
        assert not developer_note(text), text
        if mine:
            assert mine in text
        main = page[page.index("<main"):page.index("</main>")]
        note = developer_note(re.sub(r"<[^>]+>", " ", main))
        assert note is None, f"a developer note elsewhere on the page: {note}"


def test_where_to_pay_cites_each_region_its_own_documents() -> None:
    client = _client()
    guigang = " ".join(_citations(client.get("/pay", params={"region": "450802"}).text))
    liuzhou = " ".join(_citations(client.get("/pay", params={"region": "450202"}).text))
    assert GUIGANG in guigang and LIUZHOU not in guigang
    assert LIUZHOU in liuzhou and GUIGANG not in liuzhou
    city = " ".join(_citations(client.get("/pay", params={"region": "450800"}).text))
    assert GUIGANG in city and LIUZHOU not in city  # the counties' offices, Guigang's guide


def test_the_cli_table_cites_documents_not_notes() -> None:
    from tests.cli_runner import yibao

    for region, other in (("450802", LIUZHOU), ("450202", GUIGANG)):
        out = yibao("quote", "--region", region, "--year", "2025", "--payment-date",
                    "2025-03-15", "--covered-years", "2021,2022", env={"COLUMNS": "400"})
        assert out.exit_code == 0, out.stdout
        text = re.sub(r"R-[A-Z-]+", "", out.stdout)  # the table's first column names rules
        assert other not in text and not developer_note(text), text
