"""The ``consistency`` and ``steps`` leaderboards, with the opt-out respected."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from bot.db.models_progress import MemberProgress, ProgressCount
from tests.support.harness import BotHarness


async def test_consistency_shows_days_of_the_last_30(bot: BotHarness) -> None:
    for day in range(5):
        await bot.cmd("/done", user="ann")
        if day < 2:
            await bot.cmd("/done", user="bob")
        bot.clock.advance(timedelta(days=1))
    board = await bot.cmd("/leaderboard consistency", user="bob")
    assert board.title == "Leaderboard · consistency · the last 30 days"
    lines = board.text.splitlines()
    assert lines[0] == "1. ann — 5/30" and lines[1] == "2. bob — 2/30"
    assert "You: **#2** of 2 · 2/30" in board.text
    # The period is always the last 30 days, whatever was asked for.
    week = await bot.cmd("/leaderboard consistency week", user="bob")
    assert week.title == board.title


async def test_steps_board_counts_steps_done_and_hides_who_opts_out(bot: BotHarness) -> None:
    await bot.cmd("/roadmap done web-basics", user="ann")
    await bot.cmd("/roadmap done language", user="ann")
    await bot.cmd("/roadmap done git", user="bob")
    await bot.cmd("/roadmap skip web-basics", user="cy")  # skipped is known, not done
    board = await bot.cmd("/leaderboard steps", user="cy")
    assert board.title == "Leaderboard · roadmap steps done · all time"
    lines = board.text.splitlines()
    assert lines[:2] == ["1. ann — 2 steps", "2. bob — 1 step"]
    assert "cy" not in board.text.split("\n\n")[0]
    assert "You are not on this board yet: finish a step" in board.text
    await bot.cmd("/settings leaderboard:hide", user="ann")
    hidden = await bot.cmd("/leaderboard steps", user="bob")
    assert hidden.text.splitlines()[0] == "1. bob — 1 step"
    assert "You: **#1** of 1 · 1 step" in hidden.text
    await bot.cmd("/settings leaderboard:show", user="ann")
    await bot.cmd("/roadmap reset web-basics", user="ann")
    back = await bot.cmd("/leaderboard steps", user="ann")
    assert back.text.splitlines()[:2] == ["1. bob — 1 step", "1. ann — 1 step"]


async def test_counts_made_before_the_summaries_are_rebuilt_on_first_read(
    bot: BotHarness,
) -> None:
    await bot.cmd("/roadmap done web-basics", user="ann")
    await bot.cmd("/roadmap start git", user="bob")
    async with bot.services.sessions() as session, session.begin():
        # As after the upgrade: step rows exist, no summaries or counts yet.
        await session.execute(delete(MemberProgress))
        await session.execute(delete(ProgressCount))
    board = await bot.cmd("/leaderboard steps", user="bob")
    assert board.text.splitlines()[0] == "1. ann — 1 step"
    report = await bot.cmd("/admin progress", user="mod")
    assert report.title == "Roadmap progress · 2 members on the plan"
