"""An enrollment (or a payment's enrollment) as the console shows it: status in words,
the deciding rules by title, warnings in both languages (yibao.rules registry), the reason
beside a start after 1 January (as the answer gave it when the cover was fixed), an
underpayment's shortfall and what to do, and a fully assisted year as such.

    line = enrollment_lines(enrollment)          # an Enrollment shape
    line["rule_lines"], line["warning_pairs"], line["amount_due"]   # money in int fen
    line["reason"], line["owed"], line["assisted"]                  # (zh, en) or None; bool
"""

from __future__ import annotations

from typing import Any

from yibao.rules.messages import WARNING
from yibao.rules.money import fen_to_yuan
from yibao.rules.registry import RULE, tidy
from yibao.services.shapes import Enrollment
from yibao.web.plain import cite, zh_punct

__all__ = ["ASSISTED", "PAID", "SETTLED", "assisted", "cover_words", "enrollment_lines",
           "owed_words", "second_payment_words",
           "yuan_words"]

Pair = tuple[str, str]
ASSISTED: Pair = ("医疗救助全额资助参保，个人无需缴费", "Paid in full by medical assistance")
#: the statuses in which the year counts as paid (money arrived, cover fixed)
PAID = ("paid", "overpaid", "underpaid")


def yuan_words(fen: int) -> str:
    """``¥420.00``."""
    return f"¥{fen_to_yuan(fen)}"


def assisted(e: Enrollment) -> bool:
    """A fully assisted resident's year: nothing due, nothing paid, covered."""
    return e.status in PAID and e.amount_due == 0 and not e.amount_paid


def owed_words(e: Enrollment) -> Pair:
    """An underpayment in words: the shortfall and what to do (cover unchanged)."""
    due, paid = yuan_words(e.amount_due or 0), yuan_words(e.amount_paid or 0)
    rest = yuan_words(e.balance_due)
    start = e.benefit_start.isoformat() if e.benefit_start else ""
    keep = (f"，待遇开始日（{start}）不变", f"; cover still starts on {start}") if start else ("", "")
    return (f"{e.coverage_year}年度少缴{rest}（应缴{due}，已缴{paid}）：请补缴差额{rest}{keep[0]}。",
            f"{e.coverage_year}: {rest} short (due {due}, paid {paid}): pay the remaining "
            f"{rest}{keep[1]}.")


#: a year the registry holds as paid in full (or more): another payment is a second one
SETTLED = ("paid", "overpaid")


def second_payment_words(e: Enrollment) -> Pair:
    """Before a second payment for a year already paid: what the registry holds of it."""
    paid = yuan_words(e.amount_paid or 0)
    if e.status == "pending":
        held = (f"已收到{paid}，待数额公布后核定", f"{paid} received, to be settled once the "
                "figures are published")
    elif e.benefit_start:
        held = (f"已缴{paid}，待遇期间 {e.benefit_start.isoformat()} 至 {e.benefit_end}",
                f"{paid} paid, covered from {e.benefit_start.isoformat()} to {e.benefit_end}")
    else:
        held = (f"已缴{paid}", f"{paid} paid")
    return (f"{e.coverage_year}年度已缴费（{held[0]}）。再记一笔只会多收钱，不改变待遇；"
            "如确是另一笔缴费，请勾选确认后再保存。",
            f"{e.coverage_year} is already paid ({held[1]}). Another payment only takes more "
            "money and does not change the cover; if this really is another payment, tick "
            "the box to confirm and save again.")


def cover_words(e: Enrollment) -> list[Pair]:
    """A recorded year's cover: the dates and, beside a start after 1 January, the reason
    the answer gave when the cover was fixed."""
    lines: list[Pair] = []
    if e.benefit_start:
        lines.append((f"待遇期间：{e.benefit_start.isoformat()} 至 {e.benefit_end}",
                      f"Covered from {e.benefit_start.isoformat()} to {e.benefit_end}"))
    elif e.status in PAID:
        lines.append(("这笔缴费在该年度不能带来待遇天数。",
                      "The payment gives no days of cover in that year."))
    reason = e.benefit_start_reason
    if reason is not None:
        lines.append((f"原因：{zh_punct(reason.text)}", f"Why: {reason.text_en}"))
    return lines


def _warning_en(code: str, region: str, year: int) -> str:
    from yibao.policy.files import load_policy
    from yibao.rules.wording import policy_figures

    warning = WARNING.get(code)
    if warning is None:
        return ""
    try:
        figures = policy_figures(load_policy(), region, year)
    except Exception:  # a region or year without policy data: the text without figures
        return warning.text_en
    return tidy(warning.text_en.format_map(figures))


def enrollment_lines(e: Enrollment) -> dict[str, Any]:
    """The enrollment's values (money in fen, dates as dates) with ``rule_lines``
    [(title pair, text, citation)] and ``warning_pairs`` [(zh, en)] added."""
    rules = []
    for r in e.rules:
        rule = RULE.get(r.id)
        title = (rule.title, rule.title_en) if rule else ("", "")
        rules.append((title, zh_punct(r.text or ""), cite(r.source or "", e.region, e.coverage_year)))
    pairs: list[Pair] = []
    for i, text in enumerate(e.warnings):
        code = e.warning_codes[i] if i < len(e.warning_codes) else ""
        en = _warning_en(code, e.region, e.coverage_year)
        pairs.append((zh_punct(text), en or text))
    reason = e.benefit_start_reason
    return {**e.model_dump(), "rule_lines": rules, "warning_pairs": pairs,
            "reason": (zh_punct(reason.text), reason.text_en) if reason else None,
            "owed": owed_words(e) if e.balance_due else None, "assisted": assisted(e)}
