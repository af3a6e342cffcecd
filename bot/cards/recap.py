"""The weekly recap card: check-ins on each day as bars, and the top streaks."""

from __future__ import annotations

from bot.cards.draw import (
    ACCENT,
    INK,
    MARGIN,
    MUTED,
    PANEL,
    WIDTH,
    canvas,
    fit,
    font,
    footer,
    header,
    to_png,
)
from bot.cards.models import RecapCard

CHART_TOP = 190
CHART_HEIGHT = 240
BAR = 90


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def render_recap(card: RecapCard) -> bytes:
    """The recap card for ``card`` as PNG bytes (1080 px wide)."""
    streaks = card.top_streaks[:5]
    height = CHART_TOP + CHART_HEIGHT + 110 + 60 + max(len(streaks), 1) * 48 + 70
    image, draw = canvas(height)
    people = "member" if card.members == 1 else "members"
    summary = f"{card.checkins} {_checkins(card.checkins)} by {card.members} {people}"
    if card.steps_finished:
        summary += f" · {_steps(card.steps_finished)} finished"
    header(draw, card.title, summary)
    peak = max((n for _, n in card.per_day), default=0) or 1
    slot = (WIDTH - 2 * MARGIN) // max(len(card.per_day), 1)
    base = CHART_TOP + CHART_HEIGHT
    draw.line((MARGIN, base, WIDTH - MARGIN, base), fill=MUTED, width=2)
    for index, (day, count) in enumerate(card.per_day):
        x = MARGIN + index * slot + (slot - BAR) // 2
        top = base - round(CHART_HEIGHT * count / peak)
        if count:
            draw.rounded_rectangle((x, top, x + BAR, base - 1), 8, fill=ACCENT)
        label = str(count)
        width = draw.textlength(label, font=font(24, bold=True))
        draw.text((x + (BAR - width) / 2, top - 34), label, INK, font(24, bold=True))
        name = f"{day:%a}"
        width = draw.textlength(name, font=font(22))
        draw.text((x + (BAR - width) / 2, base + 10), name, MUTED, font(22))
    y = base + 70
    draw.text((MARGIN, y), "Top streaks", INK, font(30, bold=True))
    y += 52
    if not streaks:
        draw.text((MARGIN, y), "No running streaks this week.", MUTED, font(26))
    for rank, (name, run) in enumerate(streaks, 1):
        if rank % 2 == 0:
            draw.rounded_rectangle((MARGIN - 12, y - 6, WIDTH - MARGIN + 12, y + 40), 8, fill=PANEL)
        draw.text((MARGIN, y), f"{rank}.", MUTED, font(26, bold=True))
        draw.text((MARGIN + 50, y), fit(draw, name, 26, 640), INK, font(26))
        figure = _days(run)
        width = draw.textlength(figure, font=font(26, bold=True))
        draw.text((WIDTH - MARGIN - width, y), figure, INK, font(26, bold=True))
        y += 48
    footer(draw, height)
    return to_png(image)


def alt_text(card: RecapCard) -> str:
    """A description of the card for screen readers."""
    per_day = ", ".join(f"{day:%a} {count}" for day, count in card.per_day)
    streaks = "; ".join(f"{name} {_days(run)}" for name, run in card.top_streaks[:5])
    return (
        f"{card.title}: {card.checkins} {_checkins(card.checkins)} by {card.members} "
        f"{'member' if card.members == 1 else 'members'}. "
        f"Check-ins per day: {per_day}. Top streaks: {streaks or 'none'}."
        + (f" Roadmap {_steps(card.steps_finished)} finished." if card.steps_finished else "")
    )


def _checkins(n: int) -> str:
    return "check-in" if n == 1 else "check-ins"


def _steps(n: int) -> str:
    return f"{n} step" if n == 1 else f"{n} steps"
