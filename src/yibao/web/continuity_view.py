"""连续参保年限 in words, for the console's person page and ``/lookup`` (a small block of its
own): each year the registry counts, from the engine's answer (docs/rules.md C36, C39),
with the catastrophic-cover rise it earns in the engine's own words (the base cap said to
be unpublished where it is).

    view = continuity_view(person_continuity(db, actor, person_id))
    view.lines          # [("2026年度（已缴费）：连续参保2年", "2026 (paid): 2 continuous years"), ...]
    view.rise           # the engine's words for the rise, or None
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yibao.rules.registry import tidy
from yibao.services.shapes import Continuity, YearContinuity
from yibao.web.plain import cite, zh_punct

__all__ = ["ContinuityView", "continuity_view"]

Pair = tuple[str, str]

_BASIS: dict[str, Pair] = {
    "paid": ("已缴费", "paid"),
    "declared": ("登记前已参保", "covered before the registry"),
    "if_paid": ("如今天缴费", "if paid today"),
}
UNKNOWN: Pair = (
    "登记前的参保历史未知，下面的年限按连续参保推算；补录参保历史后才准确。",
    "Cover before the registry is unknown: the years below assume continuous cover; record "
    "the history to make them exact.")


@dataclass
class ContinuityView:
    lines: list[Pair] = field(default_factory=list)
    rise: Pair | None = None  # the engine's words for the catastrophic-cover rise
    source: str = ""  # the rise's citation, in words
    unknown: Pair | None = None


def _line(y: YearContinuity) -> Pair | None:
    if y.basis == "not_open":
        return (f"{y.coverage_year}年度：尚未开始收缴", f"{y.coverage_year}: collection not open yet")
    if y.basis == "closed":
        return (f"{y.coverage_year}年度：未参保", f"{y.coverage_year}: not covered")
    said = _BASIS[y.basis]
    if y.continuous_years is None:
        return (f"{y.coverage_year}年度（{said[0]}）：该年度不计算连续参保年限",
                f"{y.coverage_year} ({said[1]}): continuous years are not counted for this year")
    return (f"{y.coverage_year}年度（{said[0]}）：连续参保{y.continuous_years}年",
            tidy(f"{y.coverage_year} ({said[1]}): {y.continuous_years} continuous year(s)"))


def continuity_view(c: Continuity, region: str | None = None) -> ContinuityView:
    """The block's words: one line per year, the rise of the last year that has one, cited
    by the documents that speak for ``region`` (where known) and that year."""
    view = ContinuityView(unknown=None if c.history_known else UNKNOWN)
    for y in c.years:
        line = _line(y)
        if line is not None:
            view.lines.append(line)
        cover = y.catastrophic_cover
        if cover is not None:
            view.rise = (zh_punct(cover.text), cover.text_en)
            view.source = cite(cover.source, region, y.coverage_year)
    return view
