"""The head of every resident answer: the next step in one sentence, the total and the date
— read from the answer (contract §2.1), the same on ``/``, ``/lookup`` and ``/plan``.

    lead = lead_of(result)           # result: the contract JSON of one quote
    lead.text, lead.total, lead.start, lead.reason

Nothing here decides: which year to pay for, the total, the first day of cover and its
reason are the answer's (``next_step``, ``total_due``, ``benefit_start``,
``benefit_start_reason``); this module only chooses which of them the head shows and words
the labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from yibao.web.plain import zh_punct

__all__ = ["Lead", "Pair", "lead_of", "reference_words"]

Pair = tuple[str, str]
THIS_YEAR = ("pay_this_year", "nothing_to_pay")


@dataclass(frozen=True)
class Lead:
    code: str
    text: Pair  # the next step, one sentence
    year: int  # the coverage year to pay for now
    total_label: Pair
    total: str | None  # yuan, "1200.00"; None: not published
    assisted: bool  # medical assistance pays the whole contribution
    reference: Pair | None  # the latest published share, for reference only (C27)
    advised_total: str | None  # the step as advised, where it costs another total
    start_label: Pair
    start: str | None  # ISO date; None: no cover that year
    no_cover: Pair  # words for a missing start
    reason: Pair | None  # why cover starts after 1 January
    pay_by: str | None
    pay_from: str | None
    later_year: bool  # the step is next year's


def reference_words(share: dict[str, Any] | None) -> Pair | None:
    """``2025年度为400元/人，仅供参考`` from the answer's ``reference_share``."""
    if not share:
        return None
    amount = Decimal(str(share["amount"]))
    yuan = f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount:.2f}"
    return (f"{share['year']}年度为{yuan}元/人，仅供参考",
            f"{share['year']}: {yuan} yuan a person, for reference only")


def _pair(obj: dict[str, Any] | None) -> Pair | None:
    return None if not obj else (zh_punct(str(obj["text"])), str(obj["text_en"]))


def lead_of(result: dict[str, Any]) -> Lead:
    """The head of ``result`` (a contract answer with ``next_step``)."""
    step = result["next_step"]
    code = str(step["code"])
    later = code not in THIS_YEAR
    year = int(step["coverage_year"])
    if later:  # this year's payment buys nothing: the head is next year's, as advised
        total, start = step["total_due"], step["benefit_start"]
        reason, share = step.get("benefit_start_reason"), step.get("reference_share")
        with_back = bool(step["back_pay_years"])
        label = ((f"为{year}年度缴费（含补缴）", f"Pay for {year} (with back-pay)") if with_back
                 else (f"为{year}年度缴费", f"Pay for {year}"))
        start_label = (f"{year}年度待遇开始", f"Cover in {year} starts")
    else:
        total, start = result["total_due"], result["benefit_start"]
        reason, share = result.get("benefit_start_reason"), result.get("reference_share")
        back = (result.get("breakdown") or {}).get("back_pay")
        with_back = back is not None and Decimal(str(back)) > 0
        label = (("本次共需缴纳（含补缴）", "Total to pay now (with back-pay)") if with_back
                 else ("应缴金额", "Amount due"))
        start_label = ("待遇开始", "Cover starts")
    advised = step["total_due"] if not later and step["total_due"] != total else None
    assisted = code == "nothing_to_pay"
    if assisted:
        label = (("补缴费用（由本人缴纳）", "Back-pay (paid by you)") if with_back
                 else ("个人缴费", "You pay"))
    return Lead(
        code=code, text=(zh_punct(str(step["text"])), str(step["text_en"])), year=year,
        total_label=label, total=total, assisted=assisted,
        reference=reference_words(share) if total is None else None,
        advised_total=advised,
        start_label=start_label, start=start,
        no_cover=(f"{year}年度无待遇", f"No cover in {year}"),
        reason=_pair(reason),
        pay_by=step.get("pay_by"), pay_from=step.get("pay_from"), later_year=later,
    )
