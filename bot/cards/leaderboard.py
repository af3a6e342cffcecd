"""The leaderboard card: the top ten with rank, name and figure, and the caller's row."""

from __future__ import annotations

from PIL import ImageDraw

from bot.cards.draw import (
    ACCENT,
    HIGHLIGHT,
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
from bot.cards.models import BoardRow, LeaderboardCard

TOP = 10
ROW = 64
MEDALS = {1: (230, 159, 0), 2: (150, 150, 150), 3: (180, 110, 60)}


def _row(draw: ImageDraw.ImageDraw, y: int, row: BoardRow, shade: bool) -> None:
    if row.is_me:
        draw.rounded_rectangle(
            (MARGIN - 12, y, WIDTH - MARGIN + 12, y + ROW - 8), 10, fill=HIGHLIGHT
        )
    elif shade:
        draw.rounded_rectangle((MARGIN - 12, y, WIDTH - MARGIN + 12, y + ROW - 8), 10, fill=PANEL)
    colour = MEDALS.get(row.rank, ACCENT)
    draw.ellipse((MARGIN, y + 6, MARGIN + 44, y + 50), fill=colour)
    label = str(row.rank)
    face = font(22 if row.rank < 100 else 16, bold=True)
    width = draw.textlength(label, font=face)
    draw.text((MARGIN + 22 - width / 2, y + 15), label, (255, 255, 255), face)
    # The console's default member is called "you": no "you (you)".
    name = row.name + ("  (you)" if row.is_me and row.name.lower() != "you" else "")
    draw.text(
        (MARGIN + 70, y + 12),
        fit(draw, name, 30, 620, bold=row.is_me),
        INK,
        font(30, bold=row.is_me),
    )
    figure = fit(draw, row.figure, 30, 260, bold=True)
    width = draw.textlength(figure, font=font(30, bold=True))
    draw.text((WIDTH - MARGIN - width, y + 12), figure, INK, font(30, bold=True))


def render_leaderboard(card: LeaderboardCard) -> bytes:
    """The leaderboard card for ``card`` as PNG bytes (1080 px wide)."""
    rows = card.rows[:TOP]
    mine_shown = any(r.is_me for r in rows)
    extra = card.me is not None and not mine_shown
    height = 190 + max(len(rows), 1) * ROW + (ROW + 40 if extra else 0) + 70
    image, draw = canvas(height)
    y = header(draw, card.title, card.subtitle)
    if not rows:
        draw.text((MARGIN, y + 12), "No one is on this board yet.", MUTED, font(30))
    for index, row in enumerate(rows):
        _row(draw, y + index * ROW, row, index % 2 == 1)
    if extra and card.me is not None:
        y += max(len(rows), 1) * ROW + 8
        draw.line((MARGIN, y + 12, WIDTH - MARGIN, y + 12), fill=MUTED, width=2)
        _row(draw, y + 32, card.me, False)
    footer(draw, height)
    return to_png(image)


def alt_text(card: LeaderboardCard) -> str:
    """A description of the card for screen readers."""
    rows = "; ".join(f"{r.rank}. {r.name}, {r.figure}" for r in card.rows[:TOP])
    text = f"{card.title}. {rows or 'No one is on this board yet'}."
    if card.me is not None:
        text += f" You: rank {card.me.rank}, {card.me.figure}."
    return text
