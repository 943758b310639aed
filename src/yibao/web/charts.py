"""Tiny SVG chart geometry: step lines over days, computed here, drawn by templates.

    chart = step_chart(days, values, y_ticks=[(0, "0"), (500, "500")])
    # chart.paths -> SVG path data, chart.x_ticks / chart.y_ticks -> (pos, label)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

__all__ = ["Chart", "bar_chart", "scale_ticks", "step_chart"]

LEFT, RIGHT, TOP, BOTTOM = 44.0, 8.0, 10.0, 22.0
MIN_LABEL_GAP = 30.0  # user units between x labels (a 9px "12月" is about 20 wide)


@dataclass
class Chart:
    width: int
    height: int
    left: float = LEFT
    top: float = TOP
    plot_w: float = 0.0
    plot_h: float = 0.0
    paths: list[str] = field(default_factory=list)
    gaps: list[tuple[float, float]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    bars: list[tuple[float, float, float, float, str, str]] = field(default_factory=list)


def step_chart(
    days: Sequence[date],
    values: Sequence[float | None],
    *,
    y_ticks: Sequence[tuple[float, str]],
    width: int = 360,
    height: int = 150,
    month_label: Callable[[date], str] | None = None,
) -> Chart:
    """A step line of ``values`` per day; None leaves a gap (shaded).

    ``month_label`` words the tick of each month's first day (default ``5月``).
    """
    name = month_label or (lambda d: f"{d.month}月")
    chart = Chart(width, height)
    chart.plot_w = width - LEFT - RIGHT
    chart.plot_h = height - TOP - BOTTOM
    lo = min(v for v, _ in y_ticks)
    hi = max(v for v, _ in y_ticks)
    span = (hi - lo) or 1.0
    n = max(1, len(days))

    def x(i: int) -> float:
        return LEFT + chart.plot_w * i / n

    def y(v: float) -> float:
        return TOP + chart.plot_h * (1 - (v - lo) / span)

    chart.y_ticks = [(y(v), label) for v, label in y_ticks]
    path = ""
    gap_start: int | None = None
    for i, v in enumerate(values):
        if v is None:
            if path:
                chart.paths.append(path)
                path = ""
            gap_start = i if gap_start is None else gap_start
            continue
        if gap_start is not None:
            chart.gaps.append((x(gap_start), x(i) - x(gap_start)))
            gap_start = None
        path += f"M{x(i):.1f},{y(v):.1f}" if not path else f"V{y(v):.1f}"
        path += f"H{x(i + 1):.1f}"
    if path:
        chart.paths.append(path)
    if gap_start is not None:
        chart.gaps.append((x(gap_start), x(n) - x(gap_start)))
    last = -1e9
    for i, day in enumerate(days):
        if day.day == 1 or i == 0:
            label = f"{day.month}/{day.day}" if i == 0 else name(day)
            if x(i) - last >= MIN_LABEL_GAP:  # labels never overlap, even on a phone
                chart.x_ticks.append((x(i), label))
                last = x(i)
    return chart


def scale_ticks(top: float, most: int = 5) -> list[float]:
    """Round steps (1, 2 or 5 × 10ⁿ) from 0 to at least ``top``, at most ``most`` + 1 ticks."""
    step = 1.0
    while top / step > most:
        for factor in (2.0, 2.5, 2.0):
            step *= factor
            if top / step <= most:
                break
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return ticks


def _label_width(label: str, font: float) -> float:
    """A label's width in user units: CJK characters a full em, others about half."""
    return sum(font if ord(ch) > 0x2E80 else font * 0.6 for ch in label)


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Sequence[float]],
    *,
    kinds: Sequence[str],
    width: int = 360,
    bar_h: float = 14.0,
    top: float | None = None,
) -> Chart:
    """Horizontal grouped bars, one group per label (e.g. enrollments and payments per county);
    ``top`` is the value of a full-width bar (default: the largest value, rounded up to the
    scale). The scale (``x_ticks``) is drawn above and below the bars, so a long chart keeps
    it in view; each bar's value sits right of it inside the chart, never cut.

    The sizes are user units of a chart drawn about 370 px wide on a 412-px phone (12-unit
    region names, 11-unit values), so the text is at least 11 px there.
    """
    groups = len(labels)
    per = bar_h * len(series) + 8
    axis = 18.0  # room for the scale's labels above and below
    height = int(axis * 2 + 8 + per * max(groups, 1))
    left = min(max([_label_width(x, 12.0) for x in labels] + [36.0]) + 8, 112.0)
    value_room = 34.0  # "100" or "1234" at 11 units right of a full bar
    chart = Chart(width, height, left=left, top=axis + 4)
    chart.plot_w = width - left - value_room
    chart.plot_h = per * max(groups, 1)
    largest = max([max(s, default=0.0) for s in series] + [1.0])
    ticks = scale_ticks(top or largest)
    top = ticks[-1] if top is None else top
    for t in ticks:
        if t <= top:
            chart.x_ticks.append((left + chart.plot_w * t / top, f"{t:g}"))
    for g, label in enumerate(labels):
        y0 = chart.top + g * per
        chart.y_ticks.append((y0 + per / 2 - 4, label))
        for k, values in enumerate(series):
            v = values[g]
            w = chart.plot_w * v / top
            chart.bars.append((left, y0 + k * bar_h, w, bar_h - 2, kinds[k], f"{v:g}"))
    return chart
