"""The streak card: name, figures and a 26-week check-in calendar with today marked.

The calendar runs in columns of Monday-to-Sunday weeks, oldest on the left, ending with the
week that holds ``today``. :func:`cell_box` gives each cell's position, so tests can check
a known history by sampling pixel colours.
"""

from __future__ import annotations

from datetime import date, timedelta

from PIL import ImageDraw

from bot.cards.draw import (
    INK,
    MARGIN,
    MARKER,
    MUTED,
    PANEL,
    STATE_COLOURS,
    STATE_LABELS,
    TODAY_RING,
    canvas,
    fit,
    font,
    footer,
    header,
    to_png,
)
from bot.cards.models import DayState, StreakCard

WEEKS = 26
CELL = 28
GAP = 6
PITCH = CELL + GAP
GRID_X = MARGIN + 64  # room for the weekday labels
GRID_Y = 330
HEIGHT = GRID_Y + 7 * PITCH + 150
_WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def first_day(today: date) -> date:
    """The Monday that starts the calendar's first (leftmost) week."""
    return today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)


def cell_box(today: date, day: date) -> tuple[int, int, int, int] | None:
    """The pixel box (x0, y0, x1, y1) of ``day``'s cell, or ``None`` if not on the card."""
    offset = (day - first_day(today)).days
    if offset < 0 or day > today:
        return None
    week, weekday = divmod(offset, 7)
    x0 = GRID_X + week * PITCH
    y0 = GRID_Y + weekday * PITCH
    return x0, y0, x0 + CELL - 1, y0 + CELL - 1


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _figure(draw: ImageDraw.ImageDraw, x: int, label: str, value: str) -> None:
    draw.rounded_rectangle((x, 168, x + 300, 290), 14, fill=PANEL)
    draw.text((x + 20, 180), label, MUTED, font(22))
    draw.text((x + 20, 214), fit(draw, value, 44, 260, bold=True), INK, font(44, bold=True))


def _cell(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], state: DayState) -> None:
    draw.rounded_rectangle(box, 5, fill=STATE_COLOURS[state])
    x0, y0, x1, y1 = box
    if state is DayState.FROZEN:  # a marker as well as a colour
        cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
        draw.ellipse((cx - 5, cy - 5, cx + 5, cy + 5), fill=MARKER)
    elif state is DayState.REST:  # a short bar: rest days read as a pause
        cy = (y0 + y1) // 2
        draw.rectangle((x0 + 7, cy - 2, x1 - 7, cy + 2), fill=MARKER)


def render_streak(card: StreakCard) -> bytes:
    """The streak card for ``card`` as PNG bytes (1080 px wide)."""
    image, draw = canvas(HEIGHT)
    subtitle = f"{card.checkins} check-ins in all"
    if card.badges:
        subtitle += " · badges: " + ", ".join(card.badges)
    top = header(draw, f"{card.name} · streak", subtitle)
    del top  # the figures sit at a fixed height so the calendar never moves
    _figure(draw, MARGIN, "Current streak", _days(card.current))
    _figure(draw, MARGIN + 330, "Longest streak", _days(card.longest))
    _figure(draw, MARGIN + 660, "Freezes", f"{card.freezes} of {card.max_freezes}")
    start = first_day(card.today)
    for row, label in enumerate(_WEEKDAYS):
        if label:
            draw.text((MARGIN, GRID_Y + row * PITCH + 2), label, MUTED, font(20))
    previous_month = None
    for offset in range((card.today - start).days + 1):
        day = start + timedelta(days=offset)
        box = cell_box(card.today, day)
        assert box is not None
        if day.day <= 7 and day.weekday() == 0 and day.month != previous_month:
            draw.text((box[0], GRID_Y - 32), f"{day:%b}", MUTED, font(20))
            previous_month = day.month
        _cell(draw, box, card.days.get(day, DayState.BLANK))
    box = cell_box(card.today, card.today)
    assert box is not None
    draw.rounded_rectangle(
        (box[0] - 3, box[1] - 3, box[2] + 3, box[3] + 3), 7, outline=TODAY_RING, width=3
    )
    _legend(draw, GRID_Y + 7 * PITCH + 30)
    footer(draw, HEIGHT)
    return to_png(image)


def _legend(draw: ImageDraw.ImageDraw, y: int) -> None:
    x = MARGIN
    for state, label in STATE_LABELS.items():
        _cell(draw, (x, y, x + CELL - 1, y + CELL - 1), state)
        draw.text((x + CELL + 10, y + 2), label, INK, font(20))
        x += CELL + 24 + int(draw.textlength(label, font=font(20)))
    draw.rounded_rectangle((x, y, x + CELL - 1, y + CELL - 1), 5, outline=TODAY_RING, width=3)
    draw.text((x + CELL + 10, y + 2), "today", INK, font(20))


def alt_text(card: StreakCard) -> str:
    """A description of the card for screen readers."""
    counts = {state: 0 for state in STATE_LABELS}
    for state in card.days.values():
        if state in counts:
            counts[state] += 1
    parts = ", ".join(f"{n} {STATE_LABELS[s]}" for s, n in counts.items() if n)
    return (
        f"Streak card for {card.name}: current streak {_days(card.current)}, longest "
        f"{_days(card.longest)}, {card.freezes} of {card.max_freezes} freezes. "
        f"Calendar of the last 26 weeks: {parts or 'no check-ins yet'}."
        + (f" Badges: {', '.join(card.badges)}." if card.badges else "")
    )
