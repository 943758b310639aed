"""A flexible worker's employee insurance (灵活就业人员职工医保): the monthly contribution
(base × rate) and whether they may pay online on a day (Liaoning's window and age rule, C35).

    >>> flexible_employment("210600", 2024)["monthly"]
    '286.17'

Used by ``yibao flexible-employment`` and ``GET /api/v1/flexible-employment``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from yibao.errors import InputError, UnknownRegion
from yibao.policy.files import load_policy
from yibao.rules.conventions import CONVENTIONS
from yibao.rules.flexible import monthly_contribution_fen, online_payment, online_words
from yibao.rules.money import fen_to_yuan
from yibao.rules.policy import Policy
from yibao.rules.sources import RULES_DOC

__all__ = ["flexible_employment", "parse_day"]

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def flexible_employment(region: str, year: int | None = None, *, on: date | None = None,
                        birth_date: date | None = None, sex: str | None = None) -> dict[str, Any]:
    """A flexible worker's monthly employee contribution (base × rate) for a region and year,
    with its source; with ``on``, also whether they may pay online that day and why not
    (``online``: Liaoning's window and age rule, C35; ``birth_date`` and ``sex`` check the
    age rule).  ``year`` defaults to the year of ``on``."""
    policy = load_policy()
    if region not in policy.regions:
        raise UnknownRegion("unknown_region", f"地区代码不在政策数据中: {region}",
                            f"unknown region code: {region}", field="region")
    if year is None and on is None:
        raise InputError("missing_field", "缺少必填字段: year(或 date)",
                         "year (or date) is required", field="year")
    if sex is not None and sex not in ("female", "male"):
        raise InputError("invalid_value", "性别应为 female 或 male", "sex must be female or male",
                         field="sex")
    if (birth_date is None) != (sex is None):
        name = "sex" if sex is None else "birth_date"
        raise InputError("missing_field", f"出生日期和性别须一并提供: 缺少 {name}",
                         f"birth_date and sex go together: {name} is missing", field=name)
    if birth_date is not None and on is not None and birth_date > on:
        raise InputError("born_after_date", "出生日期晚于所问日期",
                         "birth_date is after the date asked about", field="birth_date")
    year = year if year is not None else on.year if on is not None else 0
    found = policy.resolve("flexible_employment", region, year)
    out: dict[str, Any] = {"region": region, "year": year}
    if found is not None and found.published:
        base, rate = int(found.value["base"]), int(found.value["rate_bp"])
        out.update(base=fen_to_yuan(base), rate_percent=f"{rate // 100}.{rate % 100:02d}",
                   monthly=fen_to_yuan(monthly_contribution_fen(base, rate)), source=found.source)
    elif on is None:
        raise InputError("not_published", f"{region} {year}年灵活就业缴费基数和比例未收录",
                         f"no flexible-employment base and rate for {region} in {year}",
                         field="region")
    else:
        out.update(base=None, rate_percent=None, monthly=None, source=None)
    if on is not None:
        out["online"] = _online(policy, region, on, birth_date, sex)
    return out


def parse_day(text: str | None, field: str) -> date | None:
    """An ISO ``YYYY-MM-DD`` option of the command line (None stays None)."""
    if text is None:
        return None
    try:
        if not _ISO.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InputError("invalid_date", f"“{field}”不是有效日期(YYYY-MM-DD)",
                         f"{field}: not a valid date (YYYY-MM-DD)", field=field) from None


def _online(policy: Policy, region: str, on: date, birth: date | None,
            sex: str | None) -> dict[str, Any]:
    window = policy.resolve("flexible_online_window", region, on.year)
    convention = CONVENTIONS["C35"]
    if window is None or not window.published:
        return {"date": on.isoformat(), "may_pay_online": None, "reason": "not_published",
                "text": "需求文件未说明本地区灵活就业人员网上缴费的时间。",
                "text_en": "No online payment period for flexible workers is published for "
                           "this region.",
                "window": None, "retirement_age": None, "birthday": None, "source": None,
                "conventions": []}
    answer = online_payment(on, window.value, birth, sex)
    text, text_en = online_words(answer)
    return {"date": on.isoformat(), "may_pay_online": answer.may_pay_online,
            "reason": answer.reason, "text": text, "text_en": text_en,
            "window": {"opens": answer.opens.isoformat(), "closes": answer.closes.isoformat()},
            "retirement_age": answer.retirement_age,
            "birthday": answer.birthday.isoformat() if answer.birthday else None,
            "source": window.source,
            "conventions": [{"id": convention.id, "text": convention.text,
                             "source": f"{RULES_DOC} §6 {convention.id}"}]}
