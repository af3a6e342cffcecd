"""Rendered cards match the golden images within a small tolerance, and stay in limits.

The tolerance absorbs tiny anti-aliasing differences between FreeType builds; a changed
layout or colour moves far more pixels. Regenerate with ``python -m tests.cards.regenerate``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from bot.cards.leaderboard import render_leaderboard
from bot.cards.progress import render_progress
from bot.cards.recap import render_recap
from bot.cards.streak import render_streak
from tests.cards import samples

GOLDEN = Path(__file__).parent / "golden"
CARDS: dict[str, tuple[Callable[[Any], bytes], Callable[[], Any]]] = {
    "streak": (render_streak, samples.streak),
    "leaderboard": (render_leaderboard, samples.leaderboard),
    "recap": (render_recap, samples.recap),
    "progress": (render_progress, samples.progress),
}
# At most this share of pixels may differ by more than a few levels of any channel.
TOLERANCE = 0.002


def differing_share(a: Image.Image, b: Image.Image) -> float:
    """The share of pixels where ``a`` and ``b`` differ by more than 16 levels."""
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L")
    moved = diff.point(lambda v: 255 if v > 16 else 0).histogram()[255]
    return moved / (a.width * a.height)


@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_matches_its_golden_image(name: str) -> None:
    render, model = CARDS[name]
    png = render(model())
    image = Image.open(io.BytesIO(png))
    golden = Image.open(GOLDEN / f"{name}.png")
    assert image.size == golden.size, "the layout changed: regenerate the goldens if intended"
    assert image.width == 1080
    assert differing_share(image, golden) <= TOLERANCE
    assert len(png) <= 150 * 1024


def test_the_diff_notices_a_changed_card() -> None:
    """The tolerance is tight enough to catch a different figure."""
    card = samples.streak()
    changed = type(card)(**{**card.__dict__, "current": 99})
    a = Image.open(io.BytesIO(render_streak(card)))
    b = Image.open(io.BytesIO(render_streak(changed)))
    assert differing_share(a, b) > TOLERANCE


def test_rendering_is_deterministic() -> None:
    assert render_leaderboard(samples.leaderboard()) == render_leaderboard(samples.leaderboard())
