"""The roadmap progress card: each phase as a bar of its steps, done and to do."""

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
from bot.cards.models import ProgressCard

ROW = 76
LABEL = 360


def render_progress(card: ProgressCard) -> bytes:
    """The progress card for ``card`` as PNG bytes (1080 px wide)."""
    done = sum(p.done for p in card.phases)
    total = sum(p.total for p in card.phases)
    height = 190 + max(len(card.phases), 1) * ROW + 70
    image, draw = canvas(height)
    y = header(draw, f"{card.name} · roadmap", f"{done} of {total} steps done")
    left, right = MARGIN + LABEL, WIDTH - MARGIN - 90
    for index, phase in enumerate(card.phases):
        top = y + index * ROW
        draw.text((MARGIN, top + 8), fit(draw, phase.name, 26, LABEL - 20), INK, font(26))
        draw.rounded_rectangle((left, top + 6, right, top + 44), 10, fill=PANEL)
        if phase.total and phase.done:
            share = min(phase.done / phase.total, 1.0)
            draw.rounded_rectangle(
                (left, top + 6, left + round((right - left) * share), top + 44), 10, fill=ACCENT
            )
        draw.text((right + 16, top + 8), f"{phase.done}/{phase.total}", MUTED, font(24, bold=True))
    footer(draw, height)
    return to_png(image)


def alt_text(card: ProgressCard) -> str:
    """A description of the card for screen readers."""
    phases = "; ".join(f"{p.name} {p.done} of {p.total}" for p in card.phases)
    return f"Roadmap progress for {card.name}: {phases or 'no phases'}."
