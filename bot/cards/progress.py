"""The roadmap progress card: each phase as a row of its steps, coloured by how far they are.

Each step is a numbered cell. The four states differ by more than colour, so the chart stays
readable for colour-blind members: done is filled bluish green with a white tick bar, skipped
is a grey fill with a white diagonal, in progress is a blue outline with a blue dot, and not
started is an empty light cell. :func:`step_box` gives each cell's position so tests can check
a known plan by sampling pixels.
"""

from __future__ import annotations

from PIL import ImageDraw

from bot.cards.draw import (
    ACCENT,
    INK,
    MARGIN,
    MARKER,
    MUTED,
    PANEL,
    STATE_COLOURS,
    WIDTH,
    canvas,
    fit,
    font,
    footer,
    header,
    to_png,
)
from bot.cards.models import DayState, ProgressCard, StepState

ROW = 84
LABEL = 400
CELL = 60
GAP = 14
TOP = 190
LEGEND = 70

FILL: dict[StepState, tuple[int, int, int]] = {
    StepState.DONE: STATE_COLOURS[DayState.CHECKED],
    StepState.SKIPPED: STATE_COLOURS[DayState.REST],
    StepState.IN_PROGRESS: (255, 255, 255),
    StepState.NOT_STARTED: PANEL,
}
_ORDER = (StepState.DONE, StepState.SKIPPED, StepState.IN_PROGRESS, StepState.NOT_STARTED)


def height_for(card: ProgressCard) -> int:
    """The card's height in pixels: a row per phase plus the header, legend and footer."""
    return TOP + max(len(card.phases), 1) * ROW + LEGEND + 60


def step_box(card: ProgressCard, phase_index: int, step_index: int) -> tuple[int, int, int, int]:
    """The pixel box (x0, y0, x1, y1) of a step's cell on ``card``."""
    x0 = MARGIN + LABEL + step_index * (CELL + GAP)
    y0 = TOP + phase_index * ROW + 8
    return x0, y0, x0 + CELL - 1, y0 + CELL - 1


def _cell(
    draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], state: StepState, label: str
) -> None:
    x0, y0, x1, y1 = box
    size = x1 - x0 + 1
    inset, radius = size // 5, size // 6
    if state is StepState.IN_PROGRESS:
        draw.rounded_rectangle(box, radius, fill=FILL[state], outline=ACCENT, width=size // 12 + 1)
        cx, cy, r = (x0 + x1) // 2, y1 - size // 5, size // 12 + 1
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ACCENT)
    else:
        draw.rounded_rectangle(box, radius, fill=FILL[state])
    if state is StepState.DONE:
        draw.rectangle((x0 + inset, y1 - inset, x1 - inset, y1 - inset + size // 12), fill=MARKER)
    if state is StepState.SKIPPED:
        low = y1 - inset // 2
        draw.line((x0 + inset, low, x1 - inset, low - size // 4), fill=MARKER, width=4)
    if label:
        ink = MARKER if state is StepState.DONE else INK
        face = font(22, bold=True)
        width = draw.textlength(label, font=face)
        draw.text((x0 + (CELL - width) / 2, y0 + 6), label, ink, face)


def render_progress(card: ProgressCard) -> bytes:
    """The progress card for ``card`` as PNG bytes (1080 px wide)."""
    done = sum(p.done for p in card.phases)
    total = sum(p.total for p in card.phases)
    height = height_for(card)
    image, draw = canvas(height)
    subtitle = f"{done} of {total} steps finished"
    if card.current:
        subtitle += f" · now: {card.current}"
    header(draw, f"{card.name} · roadmap", subtitle)
    for index, phase in enumerate(card.phases):
        top = TOP + index * ROW
        draw.text((MARGIN, top + 14), fit(draw, phase.name, 26, LABEL - 100), INK, font(26))
        draw.text((MARGIN + LABEL - 84, top + 18), f"{phase.done}/{phase.total}", MUTED, font(22))
        for position, step in enumerate(phase.steps):
            box = step_box(card, index, position)
            if box[2] > WIDTH - MARGIN:
                break  # more steps than fit; the text reply lists them all
            _cell(draw, box, step.state, str(step.number))
    y = TOP + max(len(card.phases), 1) * ROW + 10
    x = MARGIN
    for state in _ORDER:
        _cell(draw, (x, y, x + 27, y + 27), state, "")
        draw.text((x + 36, y + 1), state.value, MUTED, font(20))
        x += 56 + int(draw.textlength(state.value, font=font(20)))
    footer(draw, height)
    return to_png(image)


def alt_text(card: ProgressCard) -> str:
    """A description of the card for screen readers."""
    phases = "; ".join(f"{p.name} {p.done} of {p.total}" for p in card.phases)
    now = f" Now on {card.current}." if card.current else ""
    return f"Roadmap progress for {card.name}: {phases or 'no phases'}.{now}"
