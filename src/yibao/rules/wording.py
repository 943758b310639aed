"""The figures that fill the texts of rules, warnings and notes, read from the policy.

    figures = policy_figures(policy, "450202", 2025)
    figures["deadline"], figures["window_en"]        # '6月30日', '3 months'

An unpublished figure is said to be unpublished, never replaced by a number (C13).
"""

from __future__ import annotations

from datetime import date

from yibao.rules.money import fen_to_yuan
from yibao.rules.policy import PUBLISHED, F, Policy
from yibao.rules.start import GAP_MONTHS

__all__ = ["cn_date", "policy_figures", "yuan_pair"]

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
UNPUBLISHED = ("（未公布）", "(not published)")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def cn_date(d: date) -> str:
    """``2021年6月1日``."""
    return f"{d.year}年{d.month}月{d.day}日"


def _md(md: int) -> tuple[str, str]:
    month, day = md // 100, md % 100
    return f"{month}月{day}日", f"{_MONTHS_EN[month - 1]} {day}"


def yuan_pair(fen: int | None) -> tuple[str, str]:
    """``('400.00元', '400.00 yuan')``, or the words for an unpublished amount."""
    if fen is None:
        return ("（金额未公布）", "(amount not published)")
    text = fen_to_yuan(fen)
    return f"{text}元", f"{text} yuan"


def policy_figures(policy: Policy, region: str, year: int) -> dict[str, str]:
    """Every figure a text may name, for ``region`` in coverage ``year``."""
    row = policy.table[policy.key(region, year)]

    def published(status: int) -> bool:
        return int(row[status]) == PUBLISHED

    out = {"year": str(year), "gap_months": str(GAP_MONTHS)}
    out["deadline"], out["deadline_en"] = (
        _md(int(row[F.DEADLINE])) if published(F.DEADLINE_ST)
        else ("当年只缴个人部分的截止日（未公布）", "the last day for the share alone (not published)"))
    out["individual"], out["individual_en"] = yuan_pair(
        int(row[F.SHARE]) if published(F.SHARE_ST) else None)
    out["subsidy"], out["subsidy_en"] = yuan_pair(
        int(row[F.SUBSIDY]) if published(F.SUBSIDY_ST) else None)
    days, months = int(row[F.NB_DAYS]), int(row[F.NB_MONTHS])
    out["window_kind"] = "days" if days else "months"
    if not published(F.NB_ST):
        out["window"], out["window_en"] = ("规定期限（未公布）", "the newborn window (not published)")
    elif int(row[F.NB_BIRTH_YEAR]):  # no window stated: the birth year (C33)
        out["window"], out["window_en"] = "当年", "the birth year"
        out["window_kind"] = "birth_year"
    elif days:
        out["window"], out["window_en"] = f"{days}天", f"{days} days"
    else:
        out["window"], out["window_en"] = f"{months}个月", f"{months} months"
    if published(F.CONC_ST):
        start, end = _md(int(row[F.CONC_START])), _md(int(row[F.CONC_END]))
        out["concentrated"] = f"上一年{start[0]}至{end[0]}"
        out["concentrated_en"] = f"{start[1]} to {end[1]} of the year before"
    else:
        out["concentrated"], out["concentrated_en"] = UNPUBLISHED
    transfer = int(row[F.TRANSFER_MONTHS])
    out["transfer_window"], out["transfer_window_en"] = (
        (f"{transfer}个月内（含最后一天）", f"within {transfer} months (the last day included)")
        if transfer else ("在同一年内", "within the same year"))
    for name, field in (("fixed_months", F.FIXED), ("variable_per_year", F.VAR_PER),
                        ("repair_per_year", F.REPAIR_PER), ("repair_floor", F.FLOOR),
                        ("repair_floor_from", F.FLOOR_FROM)):
        out[name] = str(int(row[field])) if published(F.WAIT_ST) else UNPUBLISHED[0]
    fixed_days = int(row[F.FIXED_DAYS])
    if not published(F.WAIT_ST):
        out["fixed_wait"], out["fixed_wait_en"] = UNPUBLISHED
    elif fixed_days:
        out["fixed_wait"], out["fixed_wait_en"] = f"{fixed_days}天", f"{fixed_days} days"
    else:
        months = int(row[F.FIXED])
        out["fixed_wait"], out["fixed_wait_en"] = f"{months}个月", f"{months} months"
    over, month = int(row[F.RELAPSE_OVER]), int(row[F.RELAPSE_MONTH])
    out["relapse_over"], out["relapse_month"] = str(over), str(month)
    out["relapse_month_en"] = _ordinal(month)
    months, days = int(row[F.EXEMPT_MONTHS]), int(row[F.EXEMPT_DAYS])
    out["status_window"], out["status_window_en"] = (
        (f"{days}天", f"{days} days") if days else (f"{months}个月", f"{months} months"))
    reset = int(row[F.RESET_MONTHS])
    out["reset_months"] = str(reset) if reset else "（该年度不计连续参保年限）"
    return out
