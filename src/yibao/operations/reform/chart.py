"""An SVG bar chart of a simulation: per region, the difference in total due (yuan).

    svg = difference_chart(simulation.table(), title="个人缴费标准 400 → 420")

Plain SVG text, no dependencies: one bar per region (green = residents pay less,
red = they pay more), the region's name and the difference written beside it. The text is
set in Noto Sans CJK SC (Debian's fonts-noto-cjk), so that a PNG rendered by cairosvg, which
takes the first family named, shows Chinese and not empty boxes.
"""

from __future__ import annotations

from html import escape

import pyarrow as pa

from yibao.rules.money import fen_to_yuan

__all__ = ["difference_chart"]

WIDTH, ROW, LEFT, RIGHT, TOP = 760, 26, 170, 150, 64
FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"


def _money(fen: int) -> str:
    text = fen_to_yuan(fen)
    return ("+" if fen > 0 else "") + text + " 元"


def difference_chart(table: pa.Table, *, title: str) -> str:
    """The chart of a simulation table (its last row is the total)."""
    rows = table.to_pylist()
    regions, total = rows[:-1], rows[-1] if rows else None
    height = TOP + ROW * max(len(regions), 1) + 60
    largest = max((abs(int(r["difference"])) for r in regions), default=0) or 1
    mid = LEFT + (WIDTH - LEFT - RIGHT) // 2
    half = (WIDTH - LEFT - RIGHT) // 2
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" font-family="{FONT}" font-size="13">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>',
        f'<text x="12" y="24" font-size="16" font-weight="bold">{escape(title)}</text>',
        '<text x="12" y="46" fill="#555">各地区应缴总额的变化(改革方案 − 现行政策)'
        ' / change in total due per region (reform − in force)</text>',
        f'<line x1="{mid}" y1="{TOP - 6}" x2="{mid}" y2="{TOP + ROW * len(regions)}" '
        'stroke="#999"/>',
    ]
    for i, r in enumerate(regions):
        y = TOP + i * ROW
        diff = int(r["difference"])
        length = round(abs(diff) / largest * half)
        x = mid if diff >= 0 else mid - length
        colour = "#c0392b" if diff > 0 else "#2e8b57"
        label = f'{r["region_name"]} {r["region"]}'
        out.append(f'<text x="{LEFT - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{x}" y="{y + 5}" width="{max(length, 1)}" height="{ROW - 10}" '
                   f'fill="{colour}"><title>{escape(label)}: {_money(diff)}</title></rect>')
        out.append(f'<text x="{WIDTH - RIGHT + 8}" y="{y + 17}">{escape(_money(diff))}</text>')
    if total is not None:
        y = TOP + ROW * len(regions) + 30
        out.append(
            f'<text x="12" y="{y}" font-weight="bold">合计 {int(total["persons"]):,} 人: '
            f'{escape(_money(int(total["difference"])))}; 待遇开始日变化 '
            f'{int(total["start_moved"]):,} 人</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
