"""The moderators' schedule commands: /admin setup, pause, resume, schedule and post."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.core.models import Platform
from bot.db.models import Space
from bot.db.repositories import audit
from bot.scheduling.model import PostStatus
from tests.scheduling.helpers import excused_days, ledger_rows, post_counts, runtime
from tests.support.harness import BotHarness

CHANNEL = "222222222222222222"


async def test_setup_validates_stores_and_reports_the_next_runs(bot: BotHarness) -> None:
    reply = await bot.cmd(
        f"/admin setup channel:<#{CHANNEL}> time:07:30 timezone:Europe/Berlin days:mon-fri "
        "tip_days:wed recap_day:fri",
        user="mod",
        platform=Platform.DISCORD,
    )
    text = reply.text
    assert reply.ephemeral and f"<#{CHANNEL}>" in text
    assert "07:30 mon-fri" in text and "12:00 wed" in text and "fri 18:00" in text
    # Next run in local and UTC time: Tuesday 07:30 Berlin is 06:30 UTC.
    assert "Tue 3 Mar 07:30 Europe/Berlin (06:30 UTC)" in text
    async with bot.services.sessions() as session:
        space = (
            await session.execute(select(Space).where(Space.platform == "discord"))
        ).scalar_one()
        [entry] = await audit.recent(session, space.group_id)
    assert entry.action == "schedule.setup"
    assert entry.after["challenge.days"] == [0, 1, 2, 3, 4]
    assert entry.after["challenge.channel"] == CHANNEL

    await bot.advance(days=7)
    discord = bot.adapters[Platform.DISCORD]
    days = sorted(day for (_, kind, day) in post_counts(discord.posts()) if kind == "challenge")
    assert days == ["2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-09"]


async def test_bad_setup_input_gets_a_clear_answer_and_changes_nothing(bot: BotHarness) -> None:
    cases = {
        "time:25:00": "time",
        "timezone:Europe/Berlinn": "Europe/Berlin",
        "days:someday": "not a list of days",
        "recap_day:mon-fri": "not one weekday",
    }
    for args, hint in cases.items():
        reply = await bot.cmd(f"/admin setup {args}", user="mod", platform=Platform.DISCORD)
        assert reply.ephemeral and hint in reply.text, (args, reply.text)
    # On Slack a "#name" that did not turn into a link is not a channel.
    reply = await bot.cmd("/admin setup channel:#daily", user="mod", platform=Platform.SLACK)
    assert "can't find a channel" in reply.text
    denied = await bot.cmd(
        f"/admin setup channel:<#{CHANNEL}>", user="ann", platform=Platform.DISCORD
    )
    assert "for moderators" in denied.text
    await bot.advance(days=1, hours=2)
    assert bot.adapters[Platform.DISCORD].posts() == []
    assert bot.adapters[Platform.SLACK].posts() == []


async def test_setup_without_a_channel_uses_the_channel_it_is_typed_in(bot: BotHarness) -> None:
    reply = await bot.cmd("/admin setup", user="mod", platform=Platform.SLACK, channel="C0HERE")
    assert "<#C0HERE>" in reply.text
    await bot.advance(hours=1)
    assert len(bot.adapters[Platform.SLACK].posts("C0HERE")) == 1


async def test_pause_skips_days_and_resume_starts_again_without_excusing(bot: BotHarness) -> None:
    paused = await bot.cmd("/admin pause exam week", user="mod")
    assert "paused" in paused.text
    again = await bot.cmd("/admin pause", user="mod")
    assert "already paused" in again.text
    await bot.advance(days=2)  # Monday and Tuesday 09:00 pass while paused
    assert bot.adapter.posts() == []
    status = await bot.cmd("/admin schedule", user="mod")
    assert "paused" in status.text
    resumed = await bot.cmd("/admin resume", user="mod")
    assert "on" in resumed.text and "next: Wed 4 Mar 09:00" in resumed.text
    await bot.advance(hours=2)
    days = [day for (_, kind, day) in post_counts(bot.adapter.posts()) if kind == "challenge"]
    assert days == ["2026-03-04"]
    rows = await ledger_rows(bot.services, "challenge", Platform.CONSOLE)
    assert [r.status for r in rows] == ["skipped", "skipped", "sent"]
    assert await excused_days(bot.services) == []
    async with bot.services.sessions() as session:
        space = (
            await session.execute(select(Space).where(Space.platform == "console"))
        ).scalar_one()
        actions = [e.action for e in await audit.recent(session, space.group_id)]
    assert actions[:2] == ["schedule.resume", "schedule.pause"]


async def test_post_now_once_a_day_unless_forced(bot: BotHarness) -> None:
    reply = await bot.cmd("/admin post challenge", user="mod")
    assert "on its way" in reply.text
    await runtime(bot.services).settle()
    assert len(bot.adapter.posts()) == 1
    again = await bot.cmd("/admin post challenge", user="mod")
    assert "already went out" in again.text and "force" in again.text
    await bot.advance(hours=2)  # the scheduled 09:00 post finds today's row: no second post
    assert len(bot.adapter.posts()) == 1
    forced = await bot.cmd("/admin post challenge force", user="mod")
    assert "on its way" in forced.text
    await runtime(bot.services).settle()
    assert len(bot.adapter.posts()) == 2
    denied = await bot.cmd("/admin post tip", user="ann")
    assert "for moderators" in denied.text


async def test_schedule_shows_next_runs_recent_posts_and_problems(bot: BotHarness) -> None:
    await bot.cmd("/admin setup timezone:America/New_York time:06:00", user="mod")
    await bot.advance(days=1, hours=4)
    bot.adapter.forbidden_channels.add("general")
    await bot.advance(days=1)
    status = (await bot.cmd("/admin schedule", user="mod")).plain_text()
    assert "next: Thu 5 Mar 06:00 America/New_York (11:00 UTC)" in status
    assert "Tue 3 Mar · ✅ sent · at 06:00:00 · in #general" in status
    assert "Wed 4 Mar · ❌ failed · in #general — forbidden: missing access" in status
    assert "Missed or failed" in status and "cannot write" in status
    assert "0 members have reminders on" in status
    rows = await ledger_rows(bot.services, "challenge", Platform.CONSOLE)
    assert [r.status for r in rows][-1] == PostStatus.FAILED.value
    assert await excused_days(bot.services) == []
    assert date(2026, 3, 4) not in await excused_days(bot.services)
