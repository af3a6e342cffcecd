"""``/done`` and the Done button through the real dispatcher, database and writer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.content.render import DONE_ACTION
from bot.core.models import Button
from bot.features.checkins.checkin_service import checkins_of
from tests.checkins.helpers import audit_all, checkin_days, checkin_rows
from tests.support.harness import BotHarness


async def test_streak_grows_over_three_days_and_a_second_done_counts_once(bot: BotHarness) -> None:
    first = await bot.cmd("/done set up the project")
    assert "**ann** checked in for Monday 2 March: streak **1 day**" in first.text
    assert "Your day ends in 16 h (UTC)." in first.text
    assert not first.ephemeral  # a counted check-in is celebrated in the channel
    again = await bot.cmd("/done once more")
    assert again.ephemeral and "Already counted today" in again.text
    assert "**1 day**" in again.text
    for expected in ("2 days", "3 days"):
        bot.clock.advance(timedelta(days=1))
        reply = await bot.cmd("/done")
        assert f"streak **{expected}**" in reply.text
    assert await checkin_days(bot, "ann") == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    assert await audit_all(bot) == []


async def test_a_missed_day_uses_an_earned_freeze(bot: BotHarness) -> None:
    await bot.cmd("/admin settings streak.freeze_every 2", user="mod")
    await bot.cmd("/done")
    bot.clock.advance(timedelta(days=1))
    earned = await bot.cmd("/done")
    assert "You earned a streak freeze.\nFreezes held: 1." in earned.text
    bot.clock.advance(timedelta(days=1))
    at_risk = await bot.cmd("/streak")
    assert "**2 days** (not checked in yet today)" in at_risk.text
    bot.clock.advance(timedelta(days=1))  # Wednesday missed
    kept = await bot.cmd("/done")
    assert "streak **3 days**" in kept.text
    assert "A freeze covered the day you missed.\nFreezes held: 0." in kept.text
    streak = await bot.cmd("/streak")
    assert "Freezes: 0 of 2" in streak.text
    (calendar,) = streak.fields
    assert " x  x  *  x" in calendar.value  # Mon, Tue, Wed frozen, Thu
    assert await audit_all(bot) == []


async def test_without_a_freeze_the_shown_streak_is_never_stale(bot: BotHarness) -> None:
    await bot.cmd("/done")
    bot.clock.advance(timedelta(days=1))
    await bot.cmd("/done")
    bot.clock.advance(timedelta(days=2))  # Wednesday missed, no freeze earned yet
    streak = await bot.cmd("/streak")
    assert "Current streak: **0 days** (it ended; `/done` starts a new one)." in streak.text
    assert "Longest: 2 days" in streak.text
    restart = await bot.cmd("/done")
    assert "streak **1 day** (longest 2 days)" in restart.text


async def test_the_members_timezone_decides_the_day(bot: BotHarness) -> None:
    await bot.cmd("/settings timezone:Pacific/Kiritimati")  # UTC+14: Monday 22:00 now
    monday = await bot.cmd("/done")
    assert "checked in for Monday 2 March" in monday.text
    assert "Your day ends in 2 h (Pacific/Kiritimati)." in monday.text
    bot.clock.advance(timedelta(hours=3))  # Tuesday 01:00 there, still Monday in UTC
    tuesday = await bot.cmd("/done")
    assert "checked in for Tuesday 3 March: streak **2 days**" in tuesday.text
    await bot.cmd("/settings timezone:america/new_york", user="bob")  # any case
    bob = await bot.cmd("/done", user="bob")  # 06:00 in New York
    assert "checked in for Monday 2 March" in bob.text
    assert await audit_all(bot) == []


async def test_spring_forward_in_berlin_counts_each_local_day_once(bot: BotHarness) -> None:
    await bot.cmd("/admin settings timezone Europe/Berlin", user="mod")
    # Saturday 28 March 22:30 CET; the clocks jump from 02:00 to 03:00 that night.
    bot.clock.set(datetime(2026, 3, 28, 21, 30, tzinfo=UTC))
    assert "Saturday 28 March" in (await bot.cmd("/done")).text
    bot.clock.set(datetime(2026, 3, 29, 21, 30, tzinfo=UTC))  # Sunday 23:30 CEST
    sunday = await bot.cmd("/done")
    assert "Sunday 29 March: streak **2 days**" in sunday.text
    assert "Your day ends in 30 min (Europe/Berlin)." in sunday.text
    bot.clock.advance(timedelta(hours=1))  # Monday 00:30 CEST, still Sunday in UTC
    monday = await bot.cmd("/done")
    assert "Monday 30 March: streak **3 days**" in monday.text
    assert "Your day ends in 23 h 30 min" in monday.text
    assert await checkin_days(bot, "ann") == [
        date(2026, 3, 28),
        date(2026, 3, 29),
        date(2026, 3, 30),
    ]


async def test_group_day_start_lets_night_owls_finish(bot: BotHarness) -> None:
    await bot.cmd("/admin settings day_start 02:00", user="mod")
    bot.clock.set(datetime(2026, 3, 3, 1, 30, tzinfo=UTC))  # 01:30 Tuesday = Monday's day
    late = await bot.cmd("/done")
    assert "checked in for Monday 2 March" in late.text
    assert "Your day ends in 30 min" in late.text


async def test_backfill_of_yesterday_needs_the_group_setting(bot: BotHarness) -> None:
    await bot.cmd("/done")
    refused = await bot.cmd("/done yesterday forgot to log it")
    assert refused.ephemeral
    assert "/admin settings streak.backfill yesterday" in refused.text
    assert await checkin_days(bot, "ann") == [date(2026, 3, 2)]
    changed = await bot.cmd("/admin settings streak.backfill yesterday", user="mod")
    assert "changed from **off** to **yesterday**" in changed.text
    backfilled = await bot.cmd("/done yesterday forgot to log it")
    assert "checked in for Sunday 1 March: streak **2 days**" in backfilled.text
    twice = await bot.cmd("/done day:yesterday")
    assert twice.ephemeral and "Already counted for Sunday 1 March" in twice.text
    (row, _) = await checkin_rows(bot, "ann")
    assert (row.local_date, row.note) == (date(2026, 3, 1), "forgot to log it")
    assert await audit_all(bot) == []


async def test_notes_and_links_are_stored_and_a_note_may_start_with_yes(bot: BotHarness) -> None:
    reply = await bot.cmd("/done yes! fixed the N+1 in https://github.com/me/api/pull/7.")
    assert "checked in for Monday 2 March" in reply.text  # "yes" did not mean "yesterday"
    (row,) = await checkin_rows(bot, "ann")
    assert row.note == "yes! fixed the N+1 in"
    assert row.link == "https://github.com/me/api/pull/7"
    assert row.platform == "console" and row.timezone == "UTC"
    too_long = await bot.cmd("/done " + "x" * 1001, user="bob")
    assert too_long.ephemeral and "keep it under 1000" in too_long.text
    assert await checkin_days(bot, "bob") == []


async def test_done_button_on_the_challenge_records_it_privately(bot: BotHarness) -> None:
    challenge = await bot.cmd("/challenge")
    (button,) = challenge.buttons
    assert button.action_id == DONE_ACTION
    pressed = await bot.press(button, user="cara")
    assert pressed.ephemeral and "**cara** checked in for Monday 2 March" in pressed.text
    again = await bot.press(button, user="cara")
    assert again.ephemeral and "Already counted today" in again.text
    (row,) = await checkin_rows(bot, "cara")
    assert row.challenge_id == button.value
    stale = await bot.press(Button("Done", action_id=DONE_ACTION, value="no-such-id"), user="dan")
    assert "checked in" in stale.text
    (row,) = await checkin_rows(bot, "dan")
    assert row.challenge_id == button.value  # an unknown id is not stored; today's is


async def test_done_records_the_groups_challenge_of_the_day(bot: BotHarness) -> None:
    challenge = await bot.cmd("/challenge")
    await bot.cmd("/done")
    (row,) = await checkin_rows(bot, "ann")
    assert row.challenge_id == challenge.buttons[0].value


async def test_checkins_go_through_the_writer_unless_the_command_already_wrote(
    bot: BotHarness,
) -> None:
    writer = checkins_of(bot.services).writer
    assert writer is not None and writer.running
    await bot.cmd("/help")
    await bot.cmd("/help", user="bob")
    before = writer.batches
    # ann's /done is the group's first look at today's challenge: drawing it writes in the
    # command's transaction, so her check-in is recorded there (the writer would wait on
    # that transaction's lock).
    assert "streak **1 day**" in (await bot.cmd("/done")).text
    assert writer.batches == before
    # bob's /done only reads the challenge: his check-in goes through the writer.
    assert "streak **1 day**" in (await bot.cmd("/done", user="bob")).text
    assert writer.batches == before + 1
    assert await audit_all(bot) == []


async def test_moving_west_after_checking_in_is_already_covered(bot: BotHarness) -> None:
    await bot.cmd("/settings timezone:Asia/Tokyo")
    bot.clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))  # Tuesday 01:00 in Tokyo
    assert "Tuesday 3 March" in (await bot.cmd("/done")).text
    await bot.cmd("/settings timezone:America/Los_Angeles")  # Monday 08:00 there
    covered = await bot.cmd("/done")
    assert covered.ephemeral and "Today is already covered" in covered.text
    assert await checkin_days(bot, "ann") == [date(2026, 3, 3)]
    assert await audit_all(bot) == []
