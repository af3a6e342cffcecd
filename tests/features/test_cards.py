"""``/streak … card`` and ``/leaderboard … card``: a picture with the text, or text alone."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from bot.cards import streak as streak_card
from bot.cards.draw import STATE_COLOURS
from bot.cards.models import DayState
from tests.support.harness import BotHarness


def png_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


async def test_streak_card_comes_with_the_full_text(bot: BotHarness) -> None:
    await bot.cmd("/done", user="ann")
    bot.clock.advance(timedelta(days=1))
    await bot.cmd("/done", user="ann")
    text = await bot.cmd("/streak", user="ann")
    reply = await bot.cmd("/streak card", user="ann")
    assert reply.text == text.text and reply.fields == text.fields and reply.ephemeral
    assert text.image is None
    assert reply.image is not None and reply.image.filename == "streak.png"
    assert png_size(reply.image.content)[0] == 1080
    assert "current streak 2 days" in reply.image.alt_text
    # The calendar shows both check-ins in the "checked in" colour.
    image = Image.open(io.BytesIO(reply.image.content)).convert("RGB")
    today = bot.clock.now().date()
    for day in (today, today - timedelta(days=1)):
        box = streak_card.cell_box(today, day)
        assert box is not None
        assert image.getpixel((box[0] + 6, box[1] + 6)) == STATE_COLOURS[DayState.CHECKED]


async def test_another_members_card_and_a_shared_one(bot: BotHarness) -> None:
    await bot.cmd("/done", user="ann")
    reply = await bot.cmd("/streak ann share:true card", user="bob")
    assert not reply.ephemeral and reply.image is not None
    assert reply.image.alt_text.startswith("Streak card for ann")


async def test_leaderboard_card_lists_the_board_and_the_callers_row(bot: BotHarness) -> None:
    for name in ("ann", "bob", "cara"):
        await bot.cmd("/done", user=name)
    reply = await bot.cmd("/leaderboard checkins week card", user="bob")
    assert reply.image is not None and reply.image.filename == "leaderboard.png"
    assert "1. ann, 1 check-in" in reply.image.alt_text
    assert png_size(reply.image.content)[0] == 1080
    assert "You: **#1** of 3" in reply.text


async def test_a_group_can_switch_cards_off(bot: BotHarness) -> None:
    await bot.cmd("/done", user="ann")
    changed = await bot.cmd("/admin settings cards off", user="mod")
    assert "`cards` changed from **on** to **off**" in changed.text
    assert (await bot.cmd("/streak card", user="ann")).image is None
    assert (await bot.cmd("/leaderboard card", user="ann")).image is None


async def test_a_render_failure_falls_back_to_text_and_is_logged(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.cmd("/done", user="ann")

    def broken(_card: object) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr("bot.features.checkins.streak_view.render_streak", broken)
    with caplog.at_level(logging.ERROR, logger="bot.cards.service"):
        reply = await bot.cmd("/streak card", user="ann")
    assert reply.image is None and "Current streak: **1 day**" in reply.text
    assert "could not render card streak.png" in caplog.text


async def test_the_weekly_recap_post_carries_a_card_and_keeps_its_text(bot: BotHarness) -> None:
    from tests.scheduling.helpers import runtime

    for name in ("ann", "bob"):
        await bot.cmd("/done", user=name)
    await bot.cmd("/roadmap done web-basics", user="ann")
    await bot.cmd("/admin post recap", user="mod")
    await runtime(bot.services).settle()
    [post] = bot.adapter.posts()
    assert post.reply.title and post.reply.title.startswith("Weekly recap")
    assert "**2** check-ins by **2** members" in post.reply.text
    assert post.reply.image is not None and post.reply.image.filename == "weekly-recap.png"
    assert png_size(post.reply.image.content)[0] == 1080
    assert "Top streaks: ann 1 day; bob 1 day" in post.reply.image.alt_text
    assert "Roadmap 1 step finished." in post.reply.image.alt_text
    await bot.cmd("/admin settings cards off", user="mod")
    await bot.cmd("/admin post recap force", user="mod")
    await runtime(bot.services).settle()
    assert bot.adapter.posts()[-1].reply.image is None


def test_the_console_saves_a_card_and_prints_its_path(tmp_path: Path) -> None:
    from tests.adapters.test_console import run_console

    result = run_console("/done\n/streak card\n", tmp_path)
    assert result.returncode == 0, result.stderr
    [saved] = (tmp_path / "data" / "cards").glob("streak-*.png")
    assert f"(card saved: {saved}" in result.stdout
    assert png_size(saved.read_bytes())[0] == 1080


async def test_roadmap_card_draws_each_step_in_its_state(bot: BotHarness) -> None:
    from bot.cards import progress as progress_card
    from bot.cards.models import StepState
    from bot.cards.progress import FILL

    await bot.cmd("/roadmap done web-basics", user="ann")
    await bot.cmd("/roadmap skip 2", user="ann")
    await bot.cmd("/roadmap start 3", user="ann")
    text = await bot.cmd("/roadmap me", user="ann")
    reply = await bot.cmd("/roadmap me card", user="ann")
    assert reply.text == text.text and reply.fields == text.fields and reply.ephemeral
    assert reply.image is not None and reply.image.filename == "roadmap.png"
    assert png_size(reply.image.content)[0] == 1080
    assert "2 of 3" in reply.image.alt_text and "Now on 3." in reply.image.alt_text
    image = Image.open(io.BytesIO(reply.image.content)).convert("RGB")
    card = progress_card.ProgressCard("ann", ())  # positions depend on indices only
    expected = (StepState.DONE, StepState.SKIPPED, StepState.IN_PROGRESS)
    for position, state in enumerate(expected):
        x0, y0, _x1, y1 = progress_card.step_box(card, 0, position)
        # Sample inside the cell, clear of the number and the markers.
        pixel = image.getpixel((x0 + 8, (y0 + y1) // 2))
        assert pixel == FILL[state], (position, pixel)
    x0, y0, _, y1 = progress_card.step_box(card, 0, 2)
    assert image.getpixel((x0 + 2, (y0 + y1) // 2)) != FILL[StepState.IN_PROGRESS]  # outlined
    x0, y0, _, y1 = progress_card.step_box(card, 1, 0)
    assert image.getpixel((x0 + 8, (y0 + y1) // 2)) == FILL[StepState.NOT_STARTED]


async def test_roadmap_card_respects_cards_off_and_odd_words(bot: BotHarness) -> None:
    await bot.cmd("/admin settings cards off", user="mod")
    reply = await bot.cmd("/roadmap me card", user="ann")
    assert reply.image is None and reply.title.startswith("Your roadmap")
    odd = await bot.cmd("/roadmap me please", user="ann")
    assert "/roadmap me card" in odd.text and odd.image is None
