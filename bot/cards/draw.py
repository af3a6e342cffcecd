"""Shared drawing pieces: bundled fonts, the colour-blind-safe palette, PNG encoding.

Colours are the Okabe–Ito palette, chosen so that the calendar's states stay apart for the
common kinds of colour blindness; the frozen state also carries a white dot so it never
depends on colour alone.
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources

from PIL import Image, ImageDraw, ImageFont

from bot.cards.models import DayState

WIDTH = 1080
MARGIN = 56
BACKGROUND = (255, 255, 255)
INK = (34, 34, 34)
MUTED = (110, 110, 110)
PANEL = (244, 244, 246)
ACCENT = (0, 114, 178)  # Okabe–Ito blue
HIGHLIGHT = (255, 244, 204)  # the caller's own row

# Okabe–Ito colours per calendar state; rest and blank are neutral greys.
STATE_COLOURS: dict[DayState, tuple[int, int, int]] = {
    DayState.CHECKED: (0, 158, 115),  # bluish green
    DayState.FROZEN: (86, 180, 233),  # sky blue, plus a white dot
    DayState.REST: (200, 200, 200),  # grey
    DayState.EXCUSED: (204, 121, 167),  # reddish purple
    DayState.MISSED: (213, 94, 0),  # vermillion
    DayState.OPEN: (255, 255, 255),  # today, not yet checked in: outlined only
    DayState.BLANK: (236, 236, 236),
}
STATE_LABELS: dict[DayState, str] = {
    DayState.CHECKED: "checked in",
    DayState.FROZEN: "freeze",
    DayState.REST: "rest day",
    DayState.EXCUSED: "amnesty",
    DayState.MISSED: "missed",
}
TODAY_RING = (0, 0, 0)
MARKER = (255, 255, 255)


@lru_cache(maxsize=32)
def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The bundled DejaVu Sans (bold or regular) at ``size`` pixels."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    data = resources.files("bot.cards").joinpath("fonts", name).read_bytes()
    return ImageFont.truetype(io.BytesIO(data), size)


def canvas(height: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A white 1080-px-wide image of ``height`` and a drawing context on it."""
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    return image, ImageDraw.Draw(image)


def fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int, *, bold: bool = False) -> str:
    """``text`` shortened with an ellipsis so it fits in ``width`` pixels at ``size``."""
    face = font(size, bold=bold)
    if draw.textlength(text, font=face) <= width:
        return text
    while text and draw.textlength(text + "…", font=face) > width:
        text = text[:-1]
    return text + "…"


def header(draw: ImageDraw.ImageDraw, title: str, subtitle: str = "") -> int:
    """Draw the card's title (and subtitle); returns the y where content starts."""
    draw.rectangle((0, 0, WIDTH, 10), fill=ACCENT)
    draw.text(
        (MARGIN, 40), fit(draw, title, 44, WIDTH - 2 * MARGIN, bold=True), INK, font(44, bold=True)
    )
    y = 104
    if subtitle:
        draw.text((MARGIN, y), fit(draw, subtitle, 24, WIDTH - 2 * MARGIN), MUTED, font(24))
        y += 40
    return y + 16


def footer(draw: ImageDraw.ImageDraw, height: int) -> None:
    """The small print at the bottom of every card."""
    draw.text((MARGIN, height - 40), "studybot", MUTED, font(20, bold=True))


def to_png(image: Image.Image) -> bytes:
    """Encode ``image`` as PNG.

    A low zlib level: flat card colours compress well anyway, and level 3 is several times
    faster than the default (quantising to a palette was slower still).
    """
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=3)
    return out.getvalue()
