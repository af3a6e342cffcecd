"""Moderators' streak tools: set, restore, recompute, show, amnesty, audit, export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from tests.checkins.helpers import audit_all, checkin_days
from tests.support.harness import BotHarness


async def test_only_moderators_and_only_with_a_reason(bot: BotHarness) -> None:
    await bot.cmd("/done")
    denied = await bot.cmd("/admin streak ann set 10 because", user="bob")
    assert denied.ephemeral and "is for moderators" in denied.text
    no_reason = await bot.cmd("/admin streak ann set 10", user="mod")
    assert no_reason.ephemeral and "Say why" in no_reason.text
    unknown = await bot.cmd("/admin streak nobody show", user="mod")
    assert "I don't know a member `nobody`" in unknown.text
    future = await bot.cmd("/admin streak ann restore 2026-03-09 oops", user="mod")
    assert "in the future" in future.text


async def test_set_is_replayed_audited_and_today_still_counts(bot: BotHarness) -> None:
    await bot.cmd("/help")  # ann exists, no check-in today
    reply = await bot.cmd("/admin streak ann set 12 lost in the outage", user="mod")
    assert "ann's streak set to 12 days as of 2026-03-01. Now **12 days** (was 0 days)" in (
        reply.text
    )
    done = await bot.cmd("/done")
    assert "streak **13 days** (longest 13 days)" in done.text
    log = await bot.cmd("/admin audit ann", user="mod")
    assert "**streak.set** · ann · run 0" in log.text and "“lost in the outage”" in log.text
    assert await audit_all(bot) == []


async def test_restore_excuses_the_break_and_recompute_repairs(bot: BotHarness) -> None:
    await bot.cmd("/done")
    bot.clock.advance(timedelta(days=1))
    await bot.cmd("/done")
    bot.clock.advance(timedelta(days=2))  # Wednesday missed, no freeze yet
    assert "streak **1 day**" in (await bot.cmd("/done")).text
    restored = await bot.cmd("/admin streak ann restore my bug ate Wednesday", user="mod")
    assert "restored: 2026-03-04 excused. Now **3 days** (was 1 day)" in restored.text
    streak = await bot.cmd("/streak")
    assert "Current streak: **3 days**" in streak.text
    assert " x  x  e  x" in streak.fields[0].value
    again = await bot.cmd("/admin streak ann restore once more", user="mod")
    assert "has no break to restore" in again.text
    shown = await bot.cmd("/admin streak ann show", user="mod")
    assert "Stored figures agree with a replay" in shown.text
    recomputed = await bot.cmd("/admin streak ann recompute", user="mod")
    assert "recomputed from the check-ins. Now **3 days**" in recomputed.text
    assert await audit_all(bot) == []


async def test_a_rules_change_applies_from_the_next_checkin_or_a_recompute(
    bot: BotHarness,
) -> None:
    # Posting paused: the clock jumps below are not bot outages (those excuse days).
    await bot.cmd("/admin pause", user="mod")
    # Mon, Tue, then nothing until Thursday: broken without rest days.
    await bot.cmd("/done")
    bot.clock.advance(timedelta(days=1))
    await bot.cmd("/done")
    bot.clock.advance(timedelta(days=2))
    assert "streak **1 day**" in (await bot.cmd("/done")).text
    await bot.cmd("/admin settings streak.rest_days wed", user="mod")
    assert "Current streak: **1 day**" in (await bot.cmd("/streak")).text  # history kept
    await bot.cmd("/admin streak ann recompute rest days changed", user="mod")
    assert "Current streak: **3 days**" in (await bot.cmd("/streak")).text


async def test_amnesty_forgives_a_day_for_everyone(bot: BotHarness) -> None:
    for name in ("ann", "bob"):
        await bot.cmd("/done", user=name)
    bot.clock.advance(timedelta(days=2))  # Tuesday: the bot was down
    broken = await bot.cmd("/streak", user="bob")
    assert "**0 days** (it ended" in broken.text
    reply = await bot.cmd("/admin amnesty 2026-03-03 the bot was down", user="mod")
    assert "2026-03-03 is excused for everyone" in reply.text
    assert "Streaks recomputed for 2 members" in reply.text
    for name in ("ann", "bob"):
        assert "**1 day** (not checked in yet today)" in (await bot.cmd("/streak", user=name)).text
    assert "1. " in (await bot.cmd("/leaderboard")).text
    assert "streak **2 days**" in (await bot.cmd("/done", user="bob")).text
    twice = await bot.cmd("/admin amnesty 2026-03-03", user="mod")
    assert "already excused" in twice.text
    too_old = await bot.cmd("/admin amnesty 2020-01-01", user="mod")
    assert "Pick a day from the last year" in too_old.text
    log = await bot.cmd("/admin audit", user="mod")
    assert "**streak.amnesty** · 2026-03-03" in log.text
    assert await audit_all(bot) == []


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


async def test_exports_are_csv_files(bot: BotHarness) -> None:
    await bot.cmd('/done =HYPERLINK("http://evil") and more')
    await bot.cmd("/done shipped it", user="bob")
    bot.clock.advance(timedelta(days=1))
    await bot.cmd("/done")
    reply = await bot.cmd("/admin export checkins", user="mod")
    assert reply.ephemeral and reply.file is not None
    assert reply.file.filename == "checkins.csv" and reply.file.mime_type == "text/csv"
    rows = read_csv(reply.file.content)
    assert [(r["member"], r["local_date"]) for r in rows] == [
        ("ann", "2026-03-02"),
        ("bob", "2026-03-02"),
        ("ann", "2026-03-03"),
    ]
    assert rows[0]["note"].startswith("'=HYPERLINK")  # not run as a formula
    board = await bot.cmd("/admin export leaderboard by:checkins", user="mod")
    assert board.file is not None
    assert read_csv(board.file.content) == [
        {"rank": "1", "member": "ann", "checkins": "2"},
        {"rank": "2", "member": "bob", "checkins": "1"},
    ]
    since = await bot.cmd("/admin export checkins since:2026-03-03", user="mod")
    assert since.file is not None and len(read_csv(since.file.content)) == 1
    assert await checkin_days(bot, "bob") == [date(2026, 3, 2)]
