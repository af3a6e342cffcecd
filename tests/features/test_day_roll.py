"""The leaderboards' day roll runs in the background at each group's local midnight."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.core.models import Platform
from bot.db.models import BoardState, MemberStats
from bot.db.repositories import board_roll
from bot.features.checkins.day_roll import DayRoller
from tests.support.harness import BotHarness


async def board_days(bot: BotHarness) -> dict[int, date | None]:
    async with bot.services.sessions() as session:
        rows = await session.execute(select(BoardState.group_id, BoardState.day))
        return {group_id: day for group_id, day in rows}


def roller(bot: BotHarness) -> DayRoller:
    return DayRoller(bot.services.sessions, bot.clock, bot.services.setting_specs)


async def test_the_board_moves_to_the_new_day_without_a_view(bot: BotHarness) -> None:
    await bot.cmd("/done", user="ann")
    await bot.cmd("/leaderboard", user="ann")  # builds the figures for today
    [(group_id, day)] = (await board_days(bot)).items()
    assert day == bot.clock.now().date()  # the console group keeps UTC
    midnight = bot.clock.now().replace(hour=0, minute=0, second=0) + timedelta(days=1)
    await bot.advance(midnight - bot.clock.now() + timedelta(minutes=1))
    assert (await board_days(bot))[group_id] == midnight.date()
    # The first view of the day has nothing left to do: one read, no roll.
    async with bot.services.sessions() as session, session.begin():
        assert not await board_roll.roll(session, group_id, midnight.date(), bot.clock.now())


async def test_each_group_rolls_at_its_own_midnight(bot: BotHarness) -> None:
    await bot.cmd("/done", user="ann")
    await bot.cmd("/leaderboard", user="ann")
    await bot.cmd(
        "/admin settings timezone Pacific/Kiritimati", user="mod", platform=Platform.SLACK
    )
    await bot.cmd("/done", user="bob", platform=Platform.SLACK)
    await bot.cmd("/leaderboard", user="bob", platform=Platform.SLACK)
    days = await board_days(bot)
    assert len(days) == 2
    now = bot.clock.now()
    utc_today = now.date()
    # Kiritimati (UTC+14) passes midnight hours before UTC does.
    kiritimati_midnight = (now + timedelta(hours=14)).replace(hour=0, minute=0, second=0)
    first_roll = kiritimati_midnight - timedelta(hours=14) + timedelta(days=1)
    roll = roller(bot)
    before = dict(days)
    assert await roll.roll_due(first_roll - timedelta(minutes=1)) == 0
    assert await roll.roll_due(first_roll + timedelta(seconds=30)) == 1
    after = await board_days(bot)
    moved = {g for g in after if after[g] != before[g]}
    assert len(moved) == 1
    [other] = set(after) - moved
    assert after[other] == utc_today
    assert await roll.roll_due(first_roll + timedelta(seconds=40)) == 0  # done once


async def test_a_broken_run_leaves_the_streak_board_at_midnight(bot: BotHarness) -> None:
    await bot.cmd("/done", user="ann")
    await bot.cmd("/leaderboard", user="ann")
    # Two days later with no check-in the run can no longer continue: the roll sets live_run 0.
    bot.clock.advance(timedelta(days=2))
    assert await roller(bot).roll_due(bot.clock.now()) == 1
    async with bot.services.sessions() as session:
        [live] = (await session.execute(select(MemberStats.live_run))).scalars().all()
    assert live == 0


async def test_simulated_time_rolls_at_each_midnight_without_reading_every_minute(
    bot: BotHarness,
) -> None:
    await bot.cmd("/done", user="ann")
    await bot.cmd("/leaderboard", user="ann")
    [group_id] = await board_days(bot)
    looks = 0
    sessions = bot.services.sessions

    def counted():  # type: ignore[no-untyped-def]
        nonlocal looks
        looks += 1
        return sessions()

    roll = DayRoller(counted, bot.clock, bot.services.setting_specs)  # type: ignore[arg-type]
    start = bot.clock.now()
    for minute in range(1, 3 * 24 * 60 + 1):
        at = start + timedelta(minutes=minute)
        await roll.drive(at)
        # Never a minute late at a midnight (the console group keeps UTC).
        if at.hour == 0 and at.minute == 1:
            assert (await board_days(bot))[group_id] == at.date()
    assert (await board_days(bot))[group_id] == (start + timedelta(days=3)).date()
    # About one look an hour (and one per roll), not 4,320.
    assert looks <= 3 * 24 + 3 * 2 + 1


async def test_a_changed_timezone_brings_the_next_roll_forward(bot: BotHarness) -> None:
    # Noon UTC: already tomorrow in Kiritimati (UTC+14), and hours from UTC's midnight.
    bot.clock.set(bot.clock.now().replace(hour=12, minute=0) + timedelta(days=1))
    await bot.cmd("/done", user="ann")
    await bot.cmd("/leaderboard", user="ann")
    [group_id] = await board_days(bot)
    await bot.advance(minutes=2)  # the app's roller has looked and planned its next look
    utc_day = (await board_days(bot))[group_id]
    await bot.cmd("/admin settings timezone Pacific/Kiritimati", user="mod")
    kiritimati_day = (bot.clock.now() + timedelta(hours=14)).date()
    assert kiritimati_day > utc_day
    await bot.advance(minutes=2)
    assert (await board_days(bot))[group_id] == kiritimati_day
