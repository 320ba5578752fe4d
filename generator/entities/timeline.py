"""The mentions-per-month chart of an entity page: an SVG drawn at build time.

It needs no JavaScript: bars carry ``<title>`` tooltips, the years are labelled,
and the whole chart has an accessible description. In a right-to-left site time
runs from right to left, as the page is read.
"""

from __future__ import annotations

from collections import Counter
from html import escape

WIDTH, HEIGHT, AXIS = 640, 150, 22
MIN_SLOTS = 24  # a short history is drawn at the scale of two years, not stretched


def months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    months, (year, month) = [], first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def timeline_svg(counts: Counter, label_month, digits, rtl: bool = True,
                 summary: str = "") -> str:
    """``counts`` maps (year, month) to mentions; ``label_month(y, m)`` names a month."""
    if not counts:
        return ""
    months = months_between(min(counts), max(counts))
    peak = max(counts.values())
    slot = WIDTH / max(len(months), MIN_SLOTS)
    bar = max(1.0, slot * 0.8)
    parts = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'viewBox="0 0 {WIDTH} {HEIGHT + AXIS}" '
             f'aria-label="{escape(summary)}">',
             f'<desc>{escape(summary)}</desc>',
             f'<line class="axis" x1="0" y1="{HEIGHT}" x2="{WIDTH}" y2="{HEIGHT}"/>']
    for index, (year, month) in enumerate(months):
        x = (WIDTH - (index + 1) * slot if rtl else index * slot) + (slot - bar) / 2
        value = counts.get((year, month), 0)
        if value:
            height = max(2.0, (HEIGHT - 8) * value / peak)
            tip = f"{label_month(year, month)}: {digits(value)}"
            parts.append(f'<rect class="bar" x="{x:.1f}" y="{HEIGHT - height:.1f}" '
                         f'width="{bar:.1f}" height="{height:.1f}"><title>{escape(tip)}</title>'
                         '</rect>')
        if month == 1 or index == 0:
            anchor = x + bar / 2
            parts.append(f'<text class="year" x="{anchor:.1f}" y="{HEIGHT + AXIS - 6}" '
                         f'text-anchor="middle">{escape(digits(year))}</text>')
    parts.append("</svg>")
    return "".join(parts)
