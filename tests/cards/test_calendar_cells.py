"""The streak calendar's cells show a known history in the palette's colours."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from bot.cards import DayState
from bot.cards.draw import MARKER, STATE_COLOURS, TODAY_RING
from bot.cards.streak import WEEKS, cell_box, first_day, render_streak
from tests.cards import samples


def pixel(image: Image.Image, x: int, y: int) -> tuple[int, int, int]:
    value = image.getpixel((x, y))
    assert isinstance(value, tuple)
    return value[0], value[1], value[2]


def test_each_day_of_a_known_history_has_its_colour() -> None:
    image = Image.open(io.BytesIO(render_streak(samples.streak()))).convert("RGB")
    for day, state in samples.HISTORY.items():
        box = cell_box(samples.TODAY, day)
        assert box is not None
        # Sample near a corner: the centre of some states carries a marker.
        assert pixel(image, box[0] + 6, box[1] + 6) == STATE_COLOURS[state], (day, state)
    earlier = samples.TODAY - timedelta(days=40)
    box = cell_box(samples.TODAY, earlier)
    assert box is not None
    assert pixel(image, box[0] + 6, box[1] + 6) == STATE_COLOURS[DayState.BLANK]


def test_frozen_days_carry_a_marker_and_today_a_ring() -> None:
    image = Image.open(io.BytesIO(render_streak(samples.streak()))).convert("RGB")
    frozen = samples.TODAY - timedelta(days=6)
    x0, y0, x1, y1 = cell_box(samples.TODAY, frozen) or (0, 0, 0, 0)
    assert pixel(image, (x0 + x1) // 2, (y0 + y1) // 2) == MARKER
    x0, y0, x1, _ = cell_box(samples.TODAY, samples.TODAY) or (0, 0, 0, 0)
    assert pixel(image, (x0 + x1) // 2, y0 - 2) == TODAY_RING


def test_the_grid_spans_26_weeks_ending_with_todays_week() -> None:
    start = first_day(samples.TODAY)
    assert start.weekday() == 0
    assert (samples.TODAY - start).days // 7 == WEEKS - 1
    assert cell_box(samples.TODAY, start - timedelta(days=1)) is None
    assert cell_box(samples.TODAY, samples.TODAY + timedelta(days=1)) is None


def test_the_states_have_distinct_colours() -> None:
    shown = [STATE_COLOURS[s] for s in DayState if s is not DayState.OPEN]
    assert len(set(shown)) == len(shown)
