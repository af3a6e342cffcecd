"""Days of simulated time through the real app: one post per day per kind, on time, across
DST changes, restarts, outages, clock jumps and a second instance."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.models import Platform
from bot.scheduling.config import load_schedules
from bot.scheduling.model import PostKind, PostStatus
from bot.scheduling.planner import latest_occurrence
from bot.scheduling.posting import Outcome
from tests.scheduling.helpers import (
    advance_together,
    excused_days,
    ledger_rows,
    platforms,
    post_counts,
    running,
    scheduler,
)
from tests.support.harness import BotHarness

BERLIN = ZoneInfo("Europe/Berlin")


def _days(first: date, last: date, weekdays: set[int] | None = None) -> list[str]:
    out = []
    day = first
    while day <= last:
        if weekdays is None or day.weekday() in weekdays:
            out.append(day.isoformat())
        day += timedelta(days=1)
    return out


async def test_thirty_days_exactly_one_post_per_day_per_kind(bot: BotHarness) -> None:
    reply = await bot.cmd("/admin setup time:09:00 timezone:Europe/Berlin", user="mod")
    assert "Daily challenge" in reply.text and "Europe/Berlin" in reply.text
    await bot.advance(days=30)  # Mon 2 Mar 08:00 UTC → Wed 1 Apr 08:00 UTC, over spring DST

    counts = post_counts(bot.adapter.posts())
    assert counts and max(counts.values()) == 1, "a post went out twice"
    by_kind: dict[str, list[str]] = {}
    for (channel, kind, day), _ in sorted(counts.items(), key=lambda item: item[0][2]):
        assert channel == "general"
        by_kind.setdefault(kind, []).append(day)
    assert by_kind["challenge"] == _days(date(2026, 3, 2), date(2026, 4, 1))
    assert by_kind["tip"] == _days(date(2026, 3, 3), date(2026, 3, 31), {1, 3})
    assert by_kind["recap"] == _days(date(2026, 3, 8), date(2026, 3, 29), {6})

    rows = await ledger_rows(bot.services)
    assert {r.status for r in rows} == {PostStatus.SENT.value}
    local_times = {r.kind: set() for r in rows}  # type: dict[str, set[time]]
    for row in rows:
        assert row.sent_at == row.scheduled_for  # on the minute with a simulated clock
        assert row.sent_at is not None
        local_times[row.kind].add(row.sent_at.astimezone(BERLIN).time())
    assert local_times == {
        "challenge": {time(9, 0)},
        "tip": {time(12, 0)},
        "recap": {time(18, 0)},
    }
    assert await excused_days(bot.services) == []


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        (
            datetime(2026, 3, 27, 12, 0, tzinfo=UTC),
            {  # 02:30 CET, then the gap (fires at 03:00 CEST), then 02:30 CEST
                "2026-03-28": datetime(2026, 3, 28, 1, 30, tzinfo=UTC),
                "2026-03-29": datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
                "2026-03-30": datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
            },
        ),
        (
            datetime(2026, 10, 23, 12, 0, tzinfo=UTC),
            {  # 02:30 CEST, then the overlap (first 02:30 only), then 02:30 CET
                "2026-10-24": datetime(2026, 10, 24, 0, 30, tzinfo=UTC),
                "2026-10-25": datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
                "2026-10-26": datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
            },
        ),
    ],
    indirect=["clock"],
    ids=["spring-forward", "fall-back"],
)
async def test_a_post_time_inside_a_dst_change_fires_once_at_the_documented_time(
    bot: BotHarness, expected: dict[str, datetime]
) -> None:
    await bot.cmd("/admin setup time:02:30 timezone:Europe/Berlin days:daily", user="mod")
    await bot.advance(days=3, hours=12)
    counts = post_counts(bot.adapter.posts())
    challenges = {day: n for (_, kind, day), n in counts.items() if kind == "challenge"}
    assert challenges == dict.fromkeys(expected, 1)
    rows = await ledger_rows(bot.services, "challenge")
    assert {r.local_date.isoformat(): r.sent_at for r in rows} == expected


async def test_restart_mid_day_catches_up_once(
    settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    fakes = platforms(clock)
    adapters = list(fakes.values())
    console = fakes[Platform.CONSOLE]
    async with running(settings, clock, content_store, adapters) as first:
        await first.advance_time(timedelta(minutes=30))  # 08:30: nothing due yet
        assert console.posts() == []
    clock.set(datetime(2026, 3, 2, 11, 15, tzinfo=UTC))  # down over the 09:00 post
    async with running(settings, clock, content_store, adapters) as second:
        assert [m.reply.metadata["day"] for m in console.posts()] == ["2026-03-02"]
        await second.advance_time(timedelta(hours=3))
    async with running(settings, clock, content_store, adapters) as third:  # another restart
        await third.advance_time(timedelta(hours=1))
        rows = await ledger_rows(third.require_services(), "challenge")
    assert len(console.posts()) == 1
    [row] = rows
    assert row.status == PostStatus.SENT.value
    assert row.scheduled_for == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert row.sent_at == datetime(2026, 3, 2, 11, 15, tzinfo=UTC)


async def test_a_day_long_outage_is_not_flooded_and_the_missed_day_is_excused(
    settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    fakes = platforms(clock)
    console = fakes[Platform.CONSOLE]
    async with running(settings, clock, content_store, list(fakes.values())) as first:
        await first.advance_time(timedelta(hours=2))  # Monday's challenge at 09:00
    clock.set(datetime(2026, 3, 4, 10, 0, tzinfo=UTC))  # back on Wednesday 10:00
    async with running(settings, clock, content_store, list(fakes.values())) as second:
        services = second.require_services()
        sent = Counter((m.reply.metadata["kind"], m.reply.metadata["day"]) for m in console.posts())
        # Monday's and today's challenges; nothing for Tuesday, no late Tuesday tip.
        assert sent == Counter({("challenge", "2026-03-02"): 1, ("challenge", "2026-03-04"): 1})
        rows = {(r.kind, r.local_date.isoformat()): r for r in await ledger_rows(services)}
        assert rows[("challenge", "2026-03-03")].status == PostStatus.MISSED.value
        assert "not running" in (rows[("challenge", "2026-03-03")].error or "")
        assert rows[("tip", "2026-03-03")].status == PostStatus.MISSED.value
        assert await excused_days(services) == [date(2026, 3, 3)]  # only the challenge day
        await second.advance_time(timedelta(days=1))
    assert len(console.posts()) == 3  # Thursday 09:00 challenge, Thursday tip at 12:00 not yet


async def test_coming_back_after_the_catch_up_window_posts_nothing_late(
    settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    fakes = platforms(clock)
    console = fakes[Platform.CONSOLE]
    async with running(settings, clock, content_store, list(fakes.values())):
        pass  # posting starts now (Monday 08:00)
    clock.set(datetime(2026, 3, 2, 15, 30, tzinfo=UTC))  # 6 h 30 after the 09:00 post
    async with running(settings, clock, content_store, list(fakes.values())) as app:
        assert console.posts() == []
        assert await excused_days(app.require_services()) == [date(2026, 3, 2)]


async def test_two_instances_and_clock_jumps_never_duplicate_or_skip(
    settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    fakes = platforms(clock, window=timedelta(0))  # no platform de-duplication at all
    adapters = list(fakes.values())
    async with (
        running(settings, clock, content_store, adapters, instance="one") as one,
        running(settings, clock, content_store, adapters, instance="two") as two,
    ):
        await advance_together([one, two], clock, timedelta(days=3))
        clock.set(clock.now() - timedelta(hours=6))  # the clock jumps back over 09:00
        await advance_together([one, two], clock, timedelta(days=1))
        clock.set(clock.now() + timedelta(hours=30))  # and forward over a whole day
        await advance_together([one, two], clock, timedelta(hours=1))
        rows = await ledger_rows(one.require_services(), "challenge")
    counts = post_counts(fakes[Platform.CONSOLE].posts())
    assert max(counts.values()) == 1
    challenge_days = sorted(day for (_, kind, day) in counts if kind == "challenge")
    missed = [r.local_date.isoformat() for r in rows if r.status == PostStatus.MISSED.value]
    # Every day is either posted once or (the day the clock jumped over) recorded as missed.
    assert sorted(challenge_days + missed) == _days(date(2026, 3, 2), date(2026, 3, 7))
    assert missed == ["2026-03-06"]
    assert {r.claimed_by for r in rows if r.status == PostStatus.SENT.value} <= {"one", "two"}


async def test_two_instances_firing_the_same_post_at_once_send_it_once(
    settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    fakes = platforms(clock, window=timedelta(0))
    adapters = list(fakes.values())
    async with (
        running(settings, clock, content_store, adapters, instance="one") as one,
        running(settings, clock, content_store, adapters, instance="two") as two,
    ):
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        outcomes = []
        for app in (one, two):
            services = app.require_services()
            async with services.sessions() as session:
                [schedule] = await load_schedules(session)
            [target] = schedule.targets(PostKind.CHALLENGE)
            occurrence = latest_occurrence(schedule.plans[PostKind.CHALLENGE], clock.now())
            assert occurrence is not None
            outcomes.append(scheduler(services).jobs.post_occurrence(schedule, target, occurrence))
        # Both timers fired at 09:00 and both got past "is there a row yet?" at once.
        results = await asyncio.gather(*outcomes)
    assert sorted(results) == [Outcome.ALREADY, Outcome.SENT]
    assert len(fakes[Platform.CONSOLE].posts()) == 1


async def test_an_excused_outage_day_keeps_streaks_on_the_board_at_once(
    settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    from tests.support.harness import BotHarness

    fakes = platforms(clock)
    async with running(settings, clock, content_store, list(fakes.values())) as first:
        harness = BotHarness(app=first, clock=clock, adapters=fakes)
        assert "streak **1 day**" in (await harness.cmd("/done", user="ann")).text
        await first.advance_time(timedelta(hours=2))  # Monday's challenge at 09:00
    clock.set(datetime(2026, 3, 4, 10, 0, tzinfo=UTC))  # down all Tuesday, back Wednesday
    async with running(settings, clock, content_store, list(fakes.values())) as second:
        harness = BotHarness(app=second, clock=clock, adapters=fakes)
        assert await excused_days(second.require_services()) == [date(2026, 3, 3)]
        board = await harness.cmd("/leaderboard streak", user="bob")
    # Ann has not checked in since Monday, but Tuesday was the bot's fault: her streak shows.
    assert "ann — 1 day" in board.text
