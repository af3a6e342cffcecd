"""``/settings`` (timezone, privacy, reminders), ``/streak`` and the autocomplete sources."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.core.models import Platform
from bot.db.models import Member
from tests.support.harness import BotHarness


async def member(bot: BotHarness, name: str) -> Member:
    async with bot.services.sessions() as session:
        query = select(Member).where(Member.display_name == name)
        return (await session.execute(query)).scalar_one()


async def test_settings_show_and_change_privately(bot: BotHarness) -> None:
    shown = await bot.cmd("/settings")
    assert shown.ephemeral and shown.title == "Your settings"
    assert "Timezone: **UTC** (the group’s)" in shown.text
    changed = await bot.cmd("/settings timezone:Europe/Berlin leaderboard:hide reminders:on")
    assert changed.ephemeral
    assert "Your timezone is now **Europe/Berlin**" in changed.text
    assert "You are hidden from leaderboards" in changed.text
    assert "Reminders are on" in changed.text
    assert "Your day ends in 15 h." in changed.text  # 09:00 in Berlin
    ann = await member(bot, "ann")
    assert (ann.timezone, ann.hidden, ann.reminders) == ("Europe/Berlin", True, True)
    # Words alone work too: a choice word, or a timezone.
    await bot.cmd("/settings show off")
    await bot.cmd("/settings group")
    ann = await member(bot, "ann")
    assert (ann.timezone, ann.hidden, ann.reminders) == (None, False, False)


async def test_a_timezone_typo_gets_suggestions_and_changes_nothing(bot: BotHarness) -> None:
    await bot.cmd("/settings timezone:Asia/Tokyo")
    typo = await bot.cmd("/settings timezone:Europe/Berln")
    assert typo.ephemeral
    assert "`Europe/Berln` is not a timezone I know. Did you mean `Europe/Berlin`" in typo.text
    city = await bot.cmd("/settings timezone:berlin")
    assert "Did you mean `Europe/Berlin`" in city.text
    assert (await member(bot, "ann")).timezone == "Asia/Tokyo"


async def test_streak_view_is_private_unless_shared(bot: BotHarness) -> None:
    await bot.cmd("/done")
    bot.clock.advance(timedelta(days=1))
    mine = await bot.cmd("/streak")
    assert mine.ephemeral and mine.title == "Your streak"
    assert "Current streak: **1 day** (not checked in yet today)." in mine.text
    assert "Longest: 1 day · Check-ins: 1 · Freezes: 0 of 2 (next in 6 days in a row)" in mine.text
    assert mine.footer == "Your day ends in 16 h (UTC)."
    calendar = mine.fields[0].value
    assert calendar.startswith("```\nMo Tu We Th Fr Sa Su\n")
    assert calendar.count(" x") == 1 and " ?" in calendar
    shared = await bot.cmd("/streak share:true")
    assert not shared.ephemeral
    other = await bot.cmd("/streak ann", user="bob")
    assert other.title == "ann's streak" and "Their day ends in" in (other.footer or "")
    nobody = await bot.cmd("/streak", user="newbie")
    assert "Current streak: **0 days** (`/done` starts one)." in nobody.text


async def test_timezone_and_member_autocomplete(bot: BotHarness) -> None:
    assert bot.app.dispatcher is not None
    await bot.cmd("/help", user="annabel")
    await bot.cmd("/help", user="bob")
    invocation = bot.invocation("settings", None, platform=Platform.CONSOLE)
    zones = await bot.app.dispatcher.complete(invocation, "timezones", "berl")
    assert zones[0] == "Europe/Berlin"
    assert "America/New_York" in await bot.app.dispatcher.complete(invocation, "timezones", "new_y")
    assert len(await bot.app.dispatcher.complete(invocation, "timezones", "")) == 25
    names = await bot.app.dispatcher.complete(invocation, "members", "an")
    assert names == ["ann", "annabel"]
    assert await bot.app.dispatcher.complete(invocation, "members", "%") == []
