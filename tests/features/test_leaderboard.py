"""``/leaderboard``: ranks, ties, privacy, periods, paging, and day changes."""

from __future__ import annotations

from datetime import timedelta

from bot.core.models import Button
from tests.checkins.helpers import audit_all
from tests.support.harness import BotHarness


async def checkin_days(bot: BotHarness, schedule: list[list[str]]) -> None:
    """Check members in, one list of names per day, moving the clock a day between."""
    for index, names in enumerate(schedule):
        if index:
            bot.clock.advance(timedelta(days=1))
        for name in names:
            await bot.cmd("/done", user=name)


def board_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line[:1].isdigit()]


async def test_ranks_share_ties_and_show_the_callers_own(bot: BotHarness) -> None:
    await checkin_days(bot, [["ann"], ["ann", "bob", "cara"], ["ann", "bob", "cara", "dan"]])
    reply = await bot.cmd("/leaderboard", user="dan")
    assert reply.title == "Leaderboard · current streaks · all time"
    lines = board_lines(reply.text)
    assert lines[0] == "1. ann — 3 days"
    assert sorted(lines[1:3]) == ["2. bob — 2 days", "2. cara — 2 days"]
    assert lines[3] == "4. dan — 1 day"
    assert "You: **#4** of 4 · 1 day" in reply.text
    assert not reply.buttons and not reply.ephemeral
    assert await audit_all(bot) == []


async def test_a_hidden_member_is_never_ranked(bot: BotHarness) -> None:
    await checkin_days(bot, [["ann", "bob", "cara"], ["cara"]])
    hide = await bot.cmd("/settings leaderboard:hide", user="cara")
    assert hide.ephemeral and "You are hidden from leaderboards" in hide.text
    for by in ("streak", "longest", "checkins"):
        reply = await bot.cmd(f"/leaderboard by:{by}", user="bob")
        assert "cara" not in reply.text
        assert "of 2" in reply.text
    own = await bot.cmd("/leaderboard", user="cara")
    assert "You are hidden from leaderboards (`/settings leaderboard:show`" in own.text
    private = await bot.cmd("/streak cara", user="bob")
    assert private.text == "cara keeps their streak private."
    seen_by_mod = await bot.cmd("/streak cara", user="mod")
    assert "**2 days**" in seen_by_mod.text and "Hidden from leaderboards." in (
        seen_by_mod.footer or ""
    )
    await bot.cmd("/settings leaderboard:show", user="cara")
    assert "1. cara — 2 days" in (await bot.cmd("/leaderboard")).text
    assert await audit_all(bot) == []


async def test_periods_count_the_groups_weeks_months_and_window(bot: BotHarness) -> None:
    # Monday 2 March to Monday 9 March for ann; bob only on the first day.
    await checkin_days(bot, [["ann", "bob"], *[["ann"]] * 7])
    week = await bot.cmd("/leaderboard by:checkins period:week")
    assert week.title == "Leaderboard · check-ins · this week (from Monday 9 March)"
    assert board_lines(week.text) == ["1. ann — 1 check-in"]
    month = await bot.cmd("/leaderboard checkins month")
    assert board_lines(month.text) == ["1. ann — 8 check-ins", "2. bob — 1 check-in"]
    window = await bot.cmd("/leaderboard by:checkins period:30d")
    assert board_lines(window.text) == ["1. ann — 8 check-ins", "2. bob — 1 check-in"]
    # Longest streaks: everyone ever, or only those who checked in during the period.
    assert board_lines((await bot.cmd("/leaderboard longest all")).text) == [
        "1. ann — 8 days",
        "2. bob — 1 day",
    ]
    weekly = await bot.cmd("/leaderboard longest week", user="bob")
    assert board_lines(weekly.text) == ["1. ann — 8 days"]
    assert "You are not on this board yet" in weekly.text
    assert "Lists members who checked in during it." in (weekly.footer or "")
    assert await audit_all(bot) == []


async def test_a_broken_streak_leaves_the_board_the_next_day(bot: BotHarness) -> None:
    await checkin_days(bot, [["ann", "bob"], ["ann"]])
    assert len(board_lines((await bot.cmd("/leaderboard")).text)) == 2
    bot.clock.advance(timedelta(days=1))  # Wednesday: bob missed Tuesday
    lines = board_lines((await bot.cmd("/leaderboard")).text)
    assert lines == ["1. ann — 2 days"]
    bot.clock.advance(timedelta(days=40))  # long after: the 30-day window is empty again
    empty = await bot.cmd("/leaderboard by:checkins period:30d")
    assert "No one is on this board yet" in empty.text
    assert "2. bob — 1 check-in" in (await bot.cmd("/leaderboard checkins all")).text
    assert await audit_all(bot) == []


async def test_paging_with_buttons_replaces_the_message(bot: BotHarness) -> None:
    for run in range(1, 13):
        await bot.cmd("/help", user=f"m{run:02d}")
        await bot.cmd(f"/admin streak m{run:02d} set {run} seeded for paging", user="mod")
    first = await bot.cmd("/leaderboard limit:5", user="m01")
    assert board_lines(first.text)[0] == "1. m12 — 12 days"
    assert "You: **#12** of 12 · 1 day" in first.text
    (next_button,) = first.buttons
    assert next_button.label == "Next"
    second = await bot.press(next_button, user="m01")
    assert second.update_original and not second.ephemeral
    assert board_lines(second.text) == [
        "6. m07 — 7 days",
        "7. m06 — 6 days",
        "8. m05 — 5 days",
        "9. m04 — 4 days",
        "10. m03 — 3 days",
    ]
    assert [b.label for b in second.buttons] == ["Previous", "Next"]
    third = await bot.press(second.buttons[1], user="m01")
    assert board_lines(third.text) == ["11. m02 — 2 days", "12. m01 — 1 day"]
    assert [b.label for b in third.buttons] == ["Previous"]
    stale = await bot.press(Button("Next", action_id="leaderboard.page", value="by=x"))
    assert stale.ephemeral and "out of date" in stale.text
    assert await audit_all(bot) == []
