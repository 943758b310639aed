"""The documents yibao cites, named by title (never by a file name).

    >>> GUIGANG_2021
    '《贵港市2021年度城乡居民医保参保缴费指南》'
"""

from __future__ import annotations

__all__ = [
    "CIVIL_CODE",
    "GUIGANG_2021",
    "LIUZHOU_2025",
    "NATIONAL_2021_42",
    "NATIONAL_2024_38",
    "RULES_DOC",
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
