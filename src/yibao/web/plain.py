"""Plain words at the page's edge: citations, Chinese punctuation, error messages.

    cite("《贵港市…指南》 四、新生儿参保缴费 1: 在出生三个月以内…; yibao《规则目录》 C3",
         region="450802", year=2021)
    # '《贵港市…指南》 四、新生儿参保缴费 1'
    error_words(err, labels={"payment_date": ("缴费日期", "payment date")})

The rules and the API speak in codes where programs read them (rule IDs, convention
numbers, field names); a page says what they mean. A citation names only the documents
that speak for the answer's region and year (yibao's own notes stay in the API's
``source``); field names become the form's label.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from yibao.rules.registry import tidy
from yibao.rules.sources import GUIGANG_2021, LIUZHOU_2025, for_people

__all__ = ["ErrorText", "Pair", "cite", "error_words", "zh_punct"]

Pair = tuple[str, str]

_FILES = re.compile(r"\s*[(（]?\b[\w./-]+\.(?:md|txt|yaml|py)\b[)）]?")
_SEED_FILES = ((re.compile(r"seed\s+000(?:_[0-9a-f]+\.txt)?"), GUIGANG_2021),
               (re.compile(r"seed\s+001(?:_[0-9a-f]+\.txt)?"), LIUZHOU_2025))
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_HALF = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）"}


def zh_punct(text: str) -> str:
    """Half-width , ; : ( ) next to Chinese characters written full-width."""

    def swap(m: re.Match[str]) -> str:
        return _HALF[m.group(0)]

    text = re.sub(r"(?<=\d) (?=元)", "", text)
    return re.sub(rf"(?<=[{_CJK}])[,;:()]|[,;:()](?=[{_CJK}])", swap, text)


def cite(source: str, region: str | None = None, year: int | None = None) -> str:
    """A citation as a person reads it: the documents that speak for ``region`` and ``year``
    by title and section — no passage, no yibao note, rule ID, convention number or file name
    (:func:`yibao.rules.sources.for_people`); one sentence where no local document is cited.

    Sources are Chinese documents, so a citation stays Chinese in both languages (the
    pages mark it ``lang="zh-CN"``).
    """
    for pattern, title in _SEED_FILES:  # records written before citations used titles
        source = pattern.sub(title, source)
    text = for_people(_FILES.sub("", source), region=region or None, year=year)
    return re.sub(r"；\s*", "；", zh_punct(text).replace("; ", "；"))


@dataclass(frozen=True)
class ErrorText:
    """What a page says about one error: the form field it belongs to, and the words."""

    field: str
    zh: str
    en: str


#: Our words for errors whose messages name fields or conventions (``{label}``: the field).
_BY_CODE: dict[str, Pair] = {
    "payment_too_late": (
        "这一年度已经结束，不能再为它缴费；断保的年度可以在为当前年度缴费时一并补缴。",
        "That coverage year is over and can no longer be paid for; lapse years can be "
        "back-paid together with the current year's payment."),
    "payment_too_early": (
        "这一年度的集中缴费期还没有开始，还不能缴费。",
        "The concentrated period of that year has not opened yet; it cannot be paid yet."),
    "back_pay_duplicate": ("同一个补缴年度选了两次。", "A back-pay year is chosen twice."),
    "back_pay_not_past": ("补缴的年度必须早于参保年度。",
                          "Back-paid years must be before the coverage year."),
    "back_pay_not_allowed": (
        "2025年以前的年度只能为新生儿补缴出生当年。",
        "Before 2025, only a newborn's birth year can be back-paid."),
    "back_pay_outside_lapse": ("补缴的年度不在断保期内。",
                               "A back-paid year is not one of the lapse years."),
    "unknown_special_group": ("该地区没有这个特殊群体。",
                              "This region has no such special group."),
    "invalid_date": ("{label}不是有效的日期。", "The {label_en} is not a valid date."),
    "missing_field": ("请填写{label}。", "Enter the {label_en}."),
    "unknown_key": ("表单中有无法识别的内容，请刷新页面后重试。",
                    "The form sent something unexpected; reload the page and try again."),
    "invalid_input": ("{label}的值无效。", "The {label_en} is not valid."),
    "invalid_value": ("{label}的值无效。", "The {label_en} is not valid."),
    "invalid_json": ("请求无效，请刷新页面后重试。", "Invalid request; reload the page and try again."),
    "forbidden": ("您的账号无权执行此操作。", "Your account may not do this."),
}
_CODE_LIKE = re.compile(r"[“\"']?\b[a-z]+(?:_[a-z0-9]+)+\b[”\"']?|\s*[(（]C\d+(?:[、, ]+C\d+)*[)）]")


def error_words(
    code: str,
    field: str | None,
    message: str,
    message_en: str,
    labels: Mapping[str, Pair],
    *,
    form_field: Mapping[str, str] | None = None,
) -> ErrorText:
    """An error as a page shows it: next to its form field, in words, naming the label.

    ``labels`` maps API field names to the form's labels; ``form_field`` maps API field
    names to the form's field names where they differ. A field the form does not have
    puts the error above the buttons (``_form``).
    """
    field = (field or "").split(".")[0]
    name = (form_field or {}).get(field, field)
    label = labels.get(field) or labels.get(name) or ("此项", "this field")
    target = name if name in labels or field in labels else "_form"
    words = _BY_CODE.get(code)
    if words is None:
        zh, en = message, message_en
    else:
        zh, en = words
    fill = {"label": label[0], "label_en": label[1]}
    zh, en = tidy(zh.format_map(fill)), tidy(en.format_map(fill))

    def named(m: re.Match[str], en_side: bool) -> str:
        token = m.group(0).strip(" “”\"'（）()")
        if token.startswith("C") and token[1:2].isdigit():
            return ""
        pair = labels.get(token)
        return (pair[1] if en_side else pair[0]) if pair else ("this field" if en_side else "此项")

    zh = _CODE_LIKE.sub(lambda m: named(m, False), zh)
    en = _CODE_LIKE.sub(lambda m: named(m, True), en)
    return ErrorText(target, zh_punct(zh), en[:1].upper() + en[1:])
