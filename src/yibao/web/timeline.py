"""Geometry of the resident's timeline picture (drawn as inline SVG by a template).

    tl = build_timeline(coverage_year=2025, payment_date=date(2025, 3, 15),
                        benefit_start=date(2025, 8, 15), lapse_years=[2023, 2024],
                        waiting_from=date(2025, 3, 15))

Left to right: one block per lapse year (断保), the concentrated period of the
year before when the payment falls in it, then the coverage year drawn to scale,
day by day: not covered (grey), waiting (amber), covered (green), with markers for
the payment day and the first day of cover.  Every date is the answer's (the start, the
day the wait counts from) or the policy data's (the concentrated period); this module
only places them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = ["Box", "Marker", "Timeline", "build_timeline"]

WIDTH = 360
BAR_Y = 38
BAR_H = 34
LAPSE_W = 36
PRE_W = 44
MAX_LAPSE_SHOWN = 4


@dataclass(frozen=True)
class Box:
    x: float
    w: float
    kind: str  # lapse | pre | none | wait | cover
    label: str = ""
    label2: str = ""


@dataclass(frozen=True)
class Marker:
    x: float
    kind: str  # pay | start | birth
    label: str


@dataclass
class Timeline:
    width: int
    height: int
    bar_y: int
    bar_h: int
    year_x: float
    year_w: float
    coverage_year: int
    boxes: list[Box] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    hidden_lapse: int = 0
    summary: dict[str, int] = field(default_factory=dict)


def build_timeline(
    *,
    coverage_year: int,
    payment_date: date,
    benefit_start: date | None,
    lapse_years: list[int],
    birth_date: date | None = None,
    waiting_from: date | None = None,
    period: tuple[date, date] | None = None,
) -> Timeline:
    """Boxes and markers for one answer; ``summary`` counts lapse/waiting/covered months.

    ``waiting_from``: the answer's day the wait counts from (None: no waiting period);
    ``period``: the concentrated period of the coverage year (policy data).
    """
    shown = sorted(lapse_years)[-MAX_LAPSE_SHOWN:]
    x = 4.0
    boxes: list[Box] = []
    for year in shown:
        boxes.append(Box(x, LAPSE_W - 2, "lapse", str(year)))
        x += LAPSE_W
    jan1 = date(coverage_year, 1, 1)
    dec31 = date(coverage_year, 12, 31)
    markers: list[Marker] = []
    if payment_date < jan1 and period is not None:
        first, last = period
        months = f"{first.month}–{last.month}"
        boxes.append(Box(x, PRE_W - 2, "pre", str(coverage_year - 1), months))
        frac = min(1.0, max(0, (payment_date - first).days) / max(1, (last - first).days + 1))
        markers.append(Marker(x + frac * (PRE_W - 2), "pay", payment_date.strftime("%m-%d")))
        x += PRE_W
    year_x, year_w = x, WIDTH - 4 - x
    days = (dec31 - jan1).days + 1

    def at(day: date) -> float:
        return year_x + year_w * (day - jan1).days / days

    stop = dec31 + timedelta(days=1)
    start = benefit_start if benefit_start is not None and benefit_start <= dec31 else None
    # without cover, the year is uncovered up to the start; a wait shows from its anchor
    anchor = waiting_from if waiting_from is not None else (start or stop)
    anchor = min(max(anchor, jan1), stop)
    free_until = min(anchor, start) if start is not None else anchor
    if free_until > jan1:
        boxes.append(Box(year_x, at(free_until) - year_x, "none"))
    wait_end = start if start is not None else stop
    if waiting_from is not None and wait_end > anchor:
        boxes.append(Box(at(anchor), at(wait_end) - at(anchor), "wait"))
    if start is not None:
        boxes.append(Box(at(start), at(stop) - at(start), "cover"))
        markers.append(Marker(at(start), "start", start.strftime("%m-%d")))
    if jan1 <= payment_date <= dec31:
        markers.append(Marker(at(payment_date), "pay", payment_date.strftime("%m-%d")))
    if birth_date is not None and jan1 <= birth_date <= dec31:
        markers.append(Marker(at(birth_date), "birth", birth_date.strftime("%m-%d")))
    ticks = [(at(date(coverage_year, m, 1)), str(m)) for m in range(1, 13)]
    covered = 0 if start is None else round((stop - start).days / 30.44)
    waiting = max(0, round((wait_end - anchor).days / 30.44)) if waiting_from is not None else 0
    return Timeline(
        width=WIDTH,
        height=BAR_Y + BAR_H + 48,
        bar_y=BAR_Y,
        bar_h=BAR_H,
        year_x=year_x,
        year_w=year_w,
        coverage_year=coverage_year,
        boxes=boxes,
        markers=markers,
        ticks=ticks,
        hidden_lapse=max(0, len(lapse_years) - len(shown)),
        summary={"lapse_years": len(lapse_years), "waiting": waiting, "covered": covered},
    )
