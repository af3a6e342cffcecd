"""When sending goes wrong: blocked channels, closed DMs, rate limits, server errors, and
instances that die mid-post."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.models import Platform
from bot.db.models import CheckIn, Member, Space
from bot.db.repositories import posts_ledger as ledger
from bot.scheduling.model import PostKey, PostKind, PostStatus
from tests.scheduling.helpers import (
    ProcessDied,
    RecordingSleep,
    excused_days,
    ledger_rows,
    platforms,
    running,
    scheduler,
    turn_reminders_on,
)
from tests.support.harness import BotHarness

DISCORD_CHANNEL = "111111111111111111"
SLACK_CHANNEL = "C0DAILY"


async def _setup_discord(bot: BotHarness, channel: str = DISCORD_CHANNEL) -> None:
    reply = await bot.cmd(
        f"/admin setup channel:<#{channel}>", user="mod", platform=Platform.DISCORD
    )
    assert "set up" in (reply.title or ""), reply.text


async def test_forbidden_channel_is_marked_shown_and_other_groups_still_post(
    bot: BotHarness,
) -> None:
    discord, slack = bot.adapters[Platform.DISCORD], bot.adapters[Platform.SLACK]
    await _setup_discord(bot)
    await bot.cmd(
        f"/admin setup channel:<#{SLACK_CHANNEL}|daily>", user="mod", platform=Platform.SLACK
    )
    discord.forbidden_channels.add(DISCORD_CHANNEL)
    await bot.advance(hours=1, minutes=1)
    assert discord.posts() == []
    assert len(slack.posts(SLACK_CHANNEL)) == 1 and len(bot.adapter.posts("general")) == 1

    status = (await bot.cmd("/admin schedule", user="mod", platform=Platform.DISCORD)).plain_text()
    assert "cannot write" in status and f"<#{DISCORD_CHANNEL}>" in status
    assert "failed" in status and "missing access" in status
    assert await excused_days(bot.services) == []  # a setup problem, not an outage

    discord.forbidden_channels.clear()  # a moderator gives the bot access
    await bot.advance(days=1)
    assert len(discord.posts(DISCORD_CHANNEL)) == 1
    status = (await bot.cmd("/admin schedule", user="mod", platform=Platform.DISCORD)).plain_text()
    assert "cannot write" not in status


async def test_reminders_dm_once_fall_back_to_a_mention_and_skip_who_checked_in(
    bot: BotHarness,
) -> None:
    discord = bot.adapters[Platform.DISCORD]
    await _setup_discord(bot)
    for user in ("ann", "bob", "cid"):
        await bot.cmd("/help", user=user, platform=Platform.DISCORD)
    ann = await turn_reminders_on(bot.services, "ann")
    await turn_reminders_on(bot.services, "bob")
    discord.closed_dms.add("bob")

    await bot.advance(hours=11, minutes=59)  # 19:59 UTC: not yet
    assert discord.dms() == []
    await bot.advance(minutes=2)  # 20:01 UTC: four hours before the day ends
    [dm] = discord.dms("ann")
    assert "streak is at risk" in (dm.reply.title or "").lower()
    mentions = [m for m in discord.posts(DISCORD_CHANNEL) if m.reply.mention_user_ids == ("bob",)]
    assert len(mentions) == 1 and discord.dms("cid") == []

    # Ann checks in on Tuesday; only Bob is reminded that evening.
    async with bot.services.sessions() as session, session.begin():
        member = await session.get_one(Member, ann)
        session.add(
            CheckIn(
                member_id=ann,
                group_id=member.group_id,
                local_date=date(2026, 3, 3),
                checked_at=bot.clock.now(),
                timezone="UTC",
                platform="discord",
            )
        )
    await bot.advance(days=1)
    assert len(discord.dms("ann")) == 1
    mentions = [m for m in discord.posts(DISCORD_CHANNEL) if m.reply.mention_user_ids == ("bob",)]
    assert len(mentions) == 2
    rows = await ledger_rows(bot.services, "reminder")
    assert [(r.local_date.isoformat(), r.status) for r in rows] == [
        ("2026-03-02", "sent"),
        ("2026-03-02", "sent"),
        ("2026-03-03", "sent"),
    ]


async def test_rate_limit_retry_after_is_honoured(bot: BotHarness) -> None:
    discord = bot.adapters[Platform.DISCORD]
    await _setup_discord(bot)
    sleep = RecordingSleep()
    scheduler(bot.services).deps.delivery.sleep = sleep
    discord.rate_limits = [7.5]
    await bot.advance(hours=1)
    assert sleep.waits == [7.5]
    assert len(discord.posts()) == 1

    # A wait longer than a job should hold a lease is handed back and retried later.
    discord.rate_limits = [600.0]
    await bot.advance(days=1)
    assert len(discord.posts()) == 1
    [_, row] = await ledger_rows(bot.services, "challenge", Platform.DISCORD)
    assert row.status == PostStatus.RETRY.value and "429" in (row.error or "")
    await bot.advance(minutes=30)  # the sweeper takes it over after the wait
    assert len(discord.posts()) == 2
    [_, row] = await ledger_rows(bot.services, "challenge", Platform.DISCORD)
    assert row.status == PostStatus.SENT.value and row.attempts == 2


async def test_server_errors_are_retried_until_the_post_goes_out(bot: BotHarness) -> None:
    discord = bot.adapters[Platform.DISCORD]
    await _setup_discord(bot)
    sleep = RecordingSleep()
    scheduler(bot.services).deps.delivery.sleep = sleep
    discord.transient_failures = 7  # more than one job run's five attempts
    await bot.advance(hours=1, minutes=30)
    assert len(sleep.waits) == 6 and sleep.waits[1] > sleep.waits[0]
    [row] = await ledger_rows(bot.services, "challenge", Platform.DISCORD)
    assert row.status == PostStatus.SENT.value and len(discord.posts()) == 1


async def _discord_key(services: object, clock: FakeClock) -> PostKey:
    async with services.sessions() as session:  # type: ignore[attr-defined]
        space = (
            await session.execute(select(Space).where(Space.platform == "discord"))
        ).scalar_one()
    return PostKey(space.id, DISCORD_CHANNEL, PostKind.CHALLENGE, clock.now().date())


@pytest.mark.parametrize("when", ["before", "after"])
async def test_an_instance_dying_mid_send_is_taken_over_without_a_duplicate(
    settings: Settings, clock: FakeClock, content_store: ContentStore, when: str
) -> None:
    fakes = platforms(clock)  # Discord-like: a repeated nonce within 2 minutes is dropped
    discord = fakes[Platform.DISCORD]
    async with running(settings, clock, content_store, list(fakes.values()), instance="a") as a:
        await _setup_discord(BotHarness(app=a, clock=clock, adapters=dict(fakes)))
        setattr(discord, f"die_{when}_next", True)
        with pytest.raises(ProcessDied):
            await a.advance_time(timedelta(hours=1))
    assert len(discord.posts()) == (1 if when == "after" else 0)
    async with running(settings, clock, content_store, list(fakes.values()), instance="b") as b:
        clock.set(clock.now() + timedelta(seconds=61))  # the dead owner's lease runs out
        await scheduler(b.require_services()).sweep()
        rows = await ledger_rows(b.require_services(), "challenge", Platform.DISCORD)
    assert len(discord.posts()) == 1
    [row] = rows
    assert (row.status, row.claimed_by, row.attempts) == (PostStatus.SENT.value, "b", 2)


async def test_a_maybe_sent_discord_post_is_not_resent_after_the_nonce_window(
    settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    fakes = platforms(clock)
    discord = fakes[Platform.DISCORD]
    async with running(settings, clock, content_store, list(fakes.values()), instance="a") as a:
        await _setup_discord(BotHarness(app=a, clock=clock, adapters=dict(fakes)))
        discord.die_before_next = True
        with pytest.raises(ProcessDied):
            await a.advance_time(timedelta(hours=1))
    clock.set(clock.now() + timedelta(minutes=10))  # restarted long after the nonce expired
    async with running(settings, clock, content_store, list(fakes.values()), instance="b") as b:
        harness = BotHarness(app=b, clock=clock, adapters=dict(fakes))
        services = b.require_services()
        [row] = await ledger_rows(services, "challenge", Platform.DISCORD)
        assert row.status == PostStatus.UNCERTAIN.value and discord.posts() == []
        assert await excused_days(services) == [date(2026, 3, 2)]
        status = await harness.cmd("/admin schedule", user="mod", platform=Platform.DISCORD)
        assert "uncertain" in status.plain_text()
        # The moderator looks, sees no post, and posts it.
        await harness.cmd("/admin post challenge", user="mod", platform=Platform.DISCORD)
        await harness.advance(minutes=1)
        [row] = await ledger_rows(services, "challenge", Platform.DISCORD)
    assert row.status == PostStatus.SENT.value and len(discord.posts()) == 1


async def test_a_claim_that_never_reached_the_platform_is_sent_however_late(
    settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    fakes = platforms(clock)
    discord = fakes[Platform.DISCORD]
    async with running(settings, clock, content_store, list(fakes.values())) as a:
        await _setup_discord(BotHarness(app=a, clock=clock, adapters=dict(fakes)))
        key = await _discord_key(a.require_services(), clock)
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    async with running(settings, clock, content_store, []) as dead:  # no platform: never sends
        async with dead.require_services().sessions() as session, session.begin():
            claim = await ledger.claim(
                session,
                key,
                owner="dead",
                now=clock.now(),
                lease=timedelta(seconds=60),
                scheduled_for=clock.now(),
            )
        assert claim is not None
    clock.set(datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
    async with running(settings, clock, content_store, list(fakes.values())) as b:
        [row] = await ledger_rows(b.require_services(), "challenge", Platform.DISCORD)
    assert row.status == PostStatus.SENT.value and len(discord.posts()) == 1
