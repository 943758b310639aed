"""The documents yibao cites, named by title (never by a file name), and what a person reads
of a citation.

    >>> GUIGANG_2021
    '《贵港市2021年度城乡居民医保参保缴费指南》'
    >>> for_people("《贵港市2021年度城乡居民医保参保缴费指南》 四、新生儿参保缴费 1: 在出生三个月"
    ...            "以内参保缴费; yibao《规则目录》 C3", region="450802", year=2021)
    '《贵港市2021年度城乡居民医保参保缴费指南》 四、新生儿参保缴费 1'
    >>> for_people("《2025广西柳州居民医保断缴怎么补交》 注意事项", region="450802", year=2025)
    '本地未见公布的文件，按通行做法确定'

A ``source`` in the policy data and the registry is written for the people who keep the
data: document and section, the passage, and yibao's own notes ("yibao《规则目录》 C6",
"未见广西公布的数额"); the API keeps it whole. People read :func:`for_people`: only the
documents, by title and section, that speak for the answer's region and year (a city's guide
for that city, a province's notice for the whole province, a national one everywhere — a
Liuzhou news item is never cited to a Guigang resident); where none remains, one sentence
says the rule is the usual practice (:data:`NO_LOCAL_DOCUMENT`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CIVIL_CODE",
    "DOCUMENTS",
    "GUIGANG_2021",
    "LIUZHOU_2025",
    "NATIONAL_2021_42",
    "NATIONAL_2024_38",
    "NO_LOCAL_DOCUMENT",
    "RULES_DOC",
    "Document",
    "applies",
    "for_people",
    "item",
]

#: seed 000: Guigang's payment guide for coverage year 2021
GUIGANG_2021 = "《贵港市2021年度城乡居民医保参保缴费指南》"
#: seed 001: Liuzhou's lapse and back-payment guide (健康新闻, 2025-03-11)
LIUZHOU_2025 = "《2025广西柳州居民医保断缴怎么补交》"
NATIONAL_2021_42 = "《国务院办公厅关于健全重特大疾病医疗保险和救助制度的意见》(国办发〔2021〕42号)"
NATIONAL_2024_38 = "《国务院办公厅关于健全基本医疗保险参保长效机制的指导意见》(国办发〔2024〕38号)"
CIVIL_CODE = "《中华人民共和国民法典》第二百零一条、第二百零二条、第一千二百五十九条"
#: yibao's own catalogue of rules and conventions
RULES_DOC = "yibao 规则目录 (docs/rules.md)"


def item(title: str) -> str:
    """One of the short items after seed 001's main text, by its own title:
    ``《2025广西柳州居民医保断缴怎么补交》 相关推荐《…》``."""
    return f"{LIUZHOU_2025} 相关推荐《{title}》"


#: what a person reads where no published document of their region and year is cited:
#: the figure or rule is the usual practice (a yibao convention, or another region's text)
NO_LOCAL_DOCUMENT = "本地未见公布的文件，按通行做法确定"


@dataclass(frozen=True)
class Document:
    """A cited document: the region it speaks for (GB/T 2260; ``000000`` national) and the
    coverage years whose rules it gives (None: not bound to years)."""

    title: str
    region: str
    first_year: int | None = None
    last_year: int | None = None


def _items(region: str, *titles: str) -> tuple[Document, ...]:
    return tuple(Document(f"《{t}》", region, 2025) for t in titles)


#: every document the shipped data cites, by its title as cited. Seed 000 is Guigang's guide
#: for 2021; its rules stay in force to 2024 (rules.md C14), so it speaks for Guigang's
#: coverage years 2021–2024. Seed 001 is a Liuzhou news item from 2025: for Liuzhou; each
#: short item after it ("相关推荐《…》") speaks for its own region.
DOCUMENTS: dict[str, Document] = {d.title: d for d in (
    Document(GUIGANG_2021, "450800", 2021, 2024),
    Document(LIUZHOU_2025, "450200", 2025),
    Document("《国务院办公厅关于健全基本医疗保险参保长效机制的指导意见》", "000000"),
    Document("《国务院办公厅关于健全重特大疾病医疗保险和救助制度的意见》", "000000"),
    Document("《关于健全重特大疾病医疗保险和救助制度的意见》", "000000"),
    Document("《中华人民共和国民法典》", "000000"),
    Document("《关于做好2024年城乡居民基本医疗保障有关工作的通知》", "000000", 2024, 2024),
    Document("《广西城乡居民基本医疗保险暂行办法》", "450000"),
    Document("《关于做好2022年度城乡居民基本医疗保险参保缴费工作的通知》", "450000", 2022, 2022),
    Document("《广西壮族自治区人民政府关于推进华侨农林场改革和发展的实施意见》", "450000"),
    *_items("450300", "2025广西桂林居民医保断缴怎么补交"),
    *_items("450400", "2025广西梧州居民医保断缴怎么补交"),
    *_items("450500", "2025广西北海居民医保断缴怎么补交", "2025广西北海居民医保转职工医保后统筹账户余额会清零吗"),
    *_items("450600", "2025广西防城港居民医保断缴怎么补交"),
    *_items("445100", "2025广东潮州居民医保断缴怎么补交"),
    *_items("445200", "2025广东揭阳居民医保断缴怎么补交", "2025广东揭阳居民医保转职工医保后统筹账户余额会清零吗"),
    *_items("445300", "2025广东云浮居民医保断缴怎么补交"),
    *_items("210000", "辽宁省灵活就业医保网上缴费时间"),
    *_items("210200", "2025年大连灵活就业医保怎么用",
            "关于公布我市2025年职工基本医疗保险和生育保险缴费基数核定标准的通知"),
    *_items("210600", "丹东灵活就业医保每月多少钱"),
    *_items("411700", "2025河南驻马店医保门诊共济怎么报销"),
    *_items("419001", "2025河南济源医保门诊共济怎么报销", "2025河南济源医保门诊共济可以绑定几个医院"),
    *_items("460100", "海口医保退休缴费年限规定"),
    *_items("630000", "青海医保怎么交孩子的医保", "青海医保怎么替孩子缴纳医保", "青海省城乡居民医保缴费标准"),
)}

_TITLE = re.compile(r"《[^《》]+》")
_ITEM = re.compile(r"相关推荐(《[^《》]+》)")
_OUR_NOTE = re.compile(r"\s*[(（][^()（）]*yibao[^()（）]*[)）]")
_PASSAGE = re.compile(r"[:：]")
#: a title with its number, then the date and notes in the same or further brackets
_NUMBERED = re.compile(r"^(《[^《》]+》\s*[(（][^()（）]*?发〔\d{4}〕\d+号)[^()（）]*[)）].*$")
#: a part without a title in 《》 that still names a public document (a number, a notice)
_NAMED = re.compile(r"发〔\d{4}〕\d+号|通知|措施|解读|办法|意见")


def _chain(region: str) -> set[str]:
    """The region and the regions above it, by the code's own levels (GB/T 2260)."""
    return {region, region[:4] + "00", region[:2] + "0000", "000000"}


def applies(document: Document, region: str | None, year: int | None) -> bool:
    """Whether ``document`` speaks for ``region`` (itself or a region above it) and ``year``
    (None: not asked)."""
    if region and document.region not in _chain(region):
        return False
    if year is None:
        return True
    return not ((document.first_year is not None and year < document.first_year)
                or (document.last_year is not None and year > document.last_year))


def _part(part: str) -> tuple[str, Document | None]:
    """One cited part as a person reads it (document and section, no passage) and the
    document it cites, where known."""
    head = _PASSAGE.split(_OUR_NOTE.sub("", part), maxsplit=1)[0].strip()
    head = re.sub(r"^[A-Za-z ]+(?=《)", "", head)  # "URLs from 《…》": the document
    found = _ITEM.search(head)
    if found:  # a short item after seed 001: cited by its own title
        head = head[found.start(1):]
    head = _NUMBERED.sub(r"\1)", head)  # 《…意见》(国办发〔2024〕38号): no date, no note
    titles = _TITLE.findall(head)
    return head, DOCUMENTS.get(titles[0]) if titles else None


def _add(kept: list[str], head: str) -> None:
    """``head`` once; of two sections of one document, the more precise ("注意事项 缴费标准"
    over "注意事项")."""
    for i, had in enumerate(kept):
        if head == had or had.startswith(head + " "):
            return
        if head.startswith(had + " "):
            kept[i] = head
            return
    kept.append(head)


def for_people(source: str, *, region: str | None = None, year: int | None = None) -> str:
    """The documents of ``source`` that speak for ``region`` and ``year``, by title and
    section (``;``-separated, each once): no passage, no yibao note, no rule or convention
    ID. :data:`NO_LOCAL_DOCUMENT` where none remains; ``""`` for an empty source."""
    kept: list[str] = []
    for part in (p.strip() for p in re.split(r"[;；]", source)):
        if not part or part.startswith(("yibao", "未见")):
            continue
        head, document = _part(part)
        if not head or "yibao" in head:
            continue
        if document is None and (_TITLE.search(head) is None and not _NAMED.search(head)):
            continue  # a passage's second sentence, a note: no document named
        if document is not None and not applies(document, region, year):
            continue
        _add(kept, head)
    if kept:
        return "; ".join(kept)
    return NO_LOCAL_DOCUMENT if source.strip() else ""
