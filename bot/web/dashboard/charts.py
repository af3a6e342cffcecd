"""Charts as inline SVG, drawn on the server (no JavaScript, nothing to download).

Colours come from CSS classes in ``static/dashboard.css`` (no inline styles, so the
Content-Security-Policy can forbid them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape


def bar_chart(
    points: Sequence[tuple[str, int]],
    *,
    title: str,
    width: int = 720,
    height: int = 180,
    label_every: int = 1,
) -> Markup:
    """Vertical bars with a value axis; ``points`` are ``(label, value)``."""
    top = max((v for _, v in points), default=0) or 1
    pad_left, pad_bottom, pad_top = 40, 22, 10
    inner_w, inner_h = width - pad_left - 4, height - pad_bottom - pad_top
    step = inner_w / max(1, len(points))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text class="axis" x="{pad_left - 6}" y="{pad_top + 8}" text-anchor="end">{top}</text>',
        f'<text class="axis" x="{pad_left - 6}" y="{pad_top + inner_h}" text-anchor="end">0</text>',
        f'<line class="base" x1="{pad_left}" y1="{pad_top + inner_h}" '
        f'x2="{width - 4}" y2="{pad_top + inner_h}"/>',
    ]
    for index, (label, value) in enumerate(points):
        bar_h = inner_h * value / top
        x = pad_left + index * step
        parts.append(
            f'<rect class="bar" x="{x + step * 0.1:.1f}" y="{pad_top + inner_h - bar_h:.1f}" '
            f'width="{max(1.0, step * 0.8):.1f}" height="{bar_h:.1f}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if index % label_every == 0:
            parts.append(
                f'<text class="axis" x="{x + step / 2:.1f}" y="{height - 6}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def calendar(days: set[date], last: date, *, weeks: int = 26) -> Markup:
    """A streak calendar: one square per day, weeks as columns, check-in days filled."""
    cell, gap = 12, 2
    first = last - timedelta(days=last.weekday()) - timedelta(weeks=weeks - 1)
    width, height = weeks * (cell + gap) + 30, 7 * (cell + gap) + 20
    parts = [
        f'<svg class="calendar" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Check-in calendar" xmlns="http://www.w3.org/2000/svg">',
        "<title>Check-in calendar</title>",
    ]
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        parts.append(f'<text class="axis" x="0" y="{row * (cell + gap) + 10}">{name}</text>')
    day = first
    while day <= last:
        column = (day - first).days // 7
        x, y = 30 + column * (cell + gap), day.weekday() * (cell + gap)
        css = "day on" if day in days else "day"
        parts.append(
            f'<rect class="{css}" x="{x}" y="{y}" width="{cell}" height="{cell}" rx="2">'
            f"<title>{day.isoformat()}{' ✓' if day in days else ''}</title></rect>"
        )
        if day.day == 1:
            parts.append(f'<text class="axis" x="{x}" y="{height - 4}">{day:%b}</text>')
        day += timedelta(days=1)
    parts.append("</svg>")
    return Markup("".join(parts))
