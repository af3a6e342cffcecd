"""A member links their Discord and Slack accounts: one member, one history, one streak."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

from sqlalchemy import select

from bot.core.models import Actor
from bot.db.models import AuditEntry, Identity, Member, StreakOverride
from bot.features.checkins.audit_check import verify_group
from bot.streaks import CheckInDay, StreakPolicy, replay
from tests.linking.support import (
    DISCORD,
    SLACK,
    add_checkins,
    checkin_rows,
    code_of,
    days,
    link_accounts,
    link_spaces,
    member_of,
    stats_row,
)
from tests.support.harness import BotHarness

MON = date(2026, 3, 2)  # the harness clock's first day


async def test_linking_needs_linked_spaces(bot: BotHarness) -> None:
    reply = await bot.cmd("/link", user="ann", platform=DISCORD)
    assert "not linked with another one" in reply.text and reply.metadata is None
    await link_spaces(bot)
    reply = await bot.cmd("/link", user="ann", platform=DISCORD)
    assert "Slack workspace" in reply.text and code_of(reply)


async def test_link_status_and_one_member_behind_both_accounts(bot: BotHarness) -> None:
    await link_spaces(bot)
    alone = await bot.cmd("/link status", user="ann", platform=SLACK)
    assert "not linked" in alone.text
    await link_accounts(bot, "ann")
    on_discord = await member_of(bot.services, DISCORD, "ann")
    on_slack = await member_of(bot.services, SLACK, "ann")
    assert on_discord.id == on_slack.id
    status = await bot.cmd("/link status", user="ann", platform=SLACK)
    assert status.title == "Linked accounts"
    assert "Discord server" in status.text and "Slack workspace" in status.text
    [slack_line] = [line for line in status.text.splitlines() if "Slack" in line]
    assert "(this account)" in slack_line and status.text.count("(this account)") == 1
    async with bot.services.sessions() as session:
        members = list((await session.execute(select(Member.id))).scalars())
        [entry] = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "member.link"))
        ).scalars()
    assert on_slack.id in members and len(set(members)) == len(members)
    assert entry.after["member_id"] == on_discord.id


async def test_histories_merge_by_local_date_without_loss_or_double_counting(
    bot: BotHarness,
) -> None:
    await link_spaces(bot)
    await bot.cmd("/help", user="ann", platform=DISCORD)
    await bot.cmd("/help", user="ann", platform=SLACK)
    discord_ann = await member_of(bot.services, DISCORD, "ann")
    slack_ann = await member_of(bot.services, SLACK, "ann")
    # Discord: Feb 20-26; Slack: Feb 24 - Mar 1, earlier in the day, with a note.
    await add_checkins(bot.services, discord_ann, days(date(2026, 2, 20), 7), platform=DISCORD)
    await add_checkins(
        bot.services,
        slack_ann,
        days(date(2026, 2, 24), 6),
        platform=SLACK,
        at=time(7, 0),
        note="pairing on slack",
    )
    async with bot.services.sessions() as session, session.begin():
        session.add(
            StreakOverride(
                member_id=slack_ann.id,
                as_of=date(2026, 2, 10),
                run=3,
                reason="repair",
                created_at=bot.clock.now(),
            )
        )

    reply = await link_accounts(bot, "ann")  # the Discord member survives
    assert "Current streak: **10 days**" in reply.text, reply.text
    assert "(3 days both had, counted once)" in reply.text
    rows = await checkin_rows(bot.services, discord_ann.id)
    assert [r.local_date for r in rows] == days(date(2026, 2, 20), 10)
    both = [r for r in rows if date(2026, 2, 24) <= r.local_date <= date(2026, 2, 26)]
    # The earliest row of each shared date is kept: Slack's 07:00 ones.
    assert {r.platform for r in both} == {"slack"} and {r.note for r in both} == {
        "pairing on slack"
    }
    stats = await stats_row(bot.services, discord_ann.id)
    assert stats is not None
    expected = replay(
        [CheckInDay(r.local_date, r.checked_at, r.timezone) for r in rows],
        StreakPolicy(),
        (),
        [(date(2026, 2, 10), 3)],
    )
    assert (stats.run, stats.longest, stats.total, stats.freezes) == (
        expected.run,
        expected.longest,
        expected.total,
        expected.freezes,
    )
    assert stats.total == 10
    async with bot.services.sessions() as session:
        assert await session.get(Member, slack_ann.id) is None
        overrides = list((await session.execute(select(StreakOverride.member_id))).scalars())
        [merge] = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "member.merge"))
        ).scalars()
    assert overrides == [discord_ann.id]
    assert merge.after["duplicates"] == 3 and merge.after["total"] == 10
    dropped = merge.before["dropped_duplicates"]
    assert sorted(d["local_date"] for d in dropped) == ["2026-02-24", "2026-02-25", "2026-02-26"]
    assert {d["platform"] for d in dropped} == {"discord"}  # kept in the audit log
    async with bot.services.sessions() as session:
        assert await verify_group(session, discord_ann.group_id, StreakPolicy()) == []


async def test_unlink_detaches_this_account_and_history_stays(bot: BotHarness) -> None:
    await link_spaces(bot)
    await link_accounts(bot, "ann")
    ann = await member_of(bot.services, DISCORD, "ann")
    await add_checkins(bot.services, ann, days(date(2026, 2, 27), 3), platform=SLACK)

    reply = await bot.cmd("/unlink", user="ann", platform=SLACK)
    assert reply.title == "Account unlinked" and "Discord server" in reply.text
    slack_ann = await member_of(bot.services, SLACK, "ann")
    assert slack_ann.id != ann.id and slack_ann.group_id == ann.group_id
    assert len(await checkin_rows(bot.services, ann.id)) == 3  # made by the linked member
    assert await checkin_rows(bot.services, slack_ann.id) == []
    assert "not linked" in (await bot.cmd("/link status", user="ann", platform=DISCORD)).text
    again = await bot.cmd("/unlink", user="ann", platform=DISCORD)
    assert "not linked to another one" in again.text
    async with bot.services.sessions() as session:
        [entry] = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "member.unlink"))
        ).scalars()
    assert entry.before["member_id"] == ann.id and entry.after["member_id"] == slack_ann.id
    # Linking again merges the (empty) fresh account back in.
    await link_accounts(bot, "ann", first=SLACK, second=DISCORD)
    assert (await member_of(bot.services, DISCORD, "ann")).id == slack_ann.id
    assert len(await checkin_rows(bot.services, slack_ann.id)) == 3


async def test_a_member_links_only_their_own_other_account(bot: BotHarness) -> None:
    await link_spaces(bot)
    code = code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    same_space = await bot.cmd(f"/link {code}", user="bob", platform=DISCORD)
    assert "made in this space" in same_space.text
    own = await bot.cmd(f"/link {code}", user="ann", platform=DISCORD)
    assert "already linked" in own.text
    await link_accounts(bot, "bob")
    # Ann's code would put two Slack accounts (bob's and ann's) behind one member.
    await bot.cmd("/help", user="ann", platform=SLACK)
    code = code_of(await bot.cmd("/link", user="ann", platform=SLACK))
    clash = await bot.cmd(f"/link {code}", user="bob", platform=DISCORD)
    assert "one account per space" in clash.text
    assert (await member_of(bot.services, SLACK, "ann")).id != (
        await member_of(bot.services, SLACK, "bob")
    ).id


async def test_a_code_from_an_unlinked_space_is_refused(bot: BotHarness) -> None:
    await link_spaces(bot)
    code = code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    await bot.cmd("/admin unlink-space", user="mod", platform=SLACK)
    reply = await bot.cmd(f"/link {code}", user="ann", platform=SLACK)
    assert "not linked with this one" in reply.text


async def test_leaderboard_shows_a_linked_member_once_named_for_the_platform(
    bot: BotHarness,
) -> None:
    await link_spaces(bot)
    await bot.cmd("/help", user="ann", platform=DISCORD)
    code = code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    # On Slack she is "Ann S." (her Slack display name).
    invocation = bot.invocation("link", code, user="U1ANN", platform=SLACK)
    named = replace(invocation, actor=Actor(user_id="U1ANN", display_name="Ann S."))
    assert bot.app.dispatcher is not None
    assert (await bot.app.dispatcher.dispatch(named)).title == "Accounts linked"
    await bot.cmd("/done", user="ann", platform=DISCORD)
    await bot.cmd("/done", user="zed", platform=DISCORD)  # only on Discord

    on_discord = (await bot.cmd("/leaderboard", user="zed", platform=DISCORD)).text
    on_slack = (await bot.cmd("/leaderboard", user="bob", platform=SLACK)).text
    assert on_discord.count("ann") == 1 and "Ann S." not in on_discord
    assert on_slack.count("Ann S.") == 1 and "1. ann" not in on_slack
    assert "zed" in on_slack  # a member with no Slack account keeps their own name
    ann = await member_of(bot.services, DISCORD, "ann")
    async with bot.services.sessions() as session:
        identities = list((await session.execute(select(Identity.member_id))).scalars())
    assert identities.count(ann.id) == 2


async def test_check_ins_from_either_platform_count_toward_one_streak(bot: BotHarness) -> None:
    await link_spaces(bot)
    # Before linking: Discord on Mon and Tue, Slack on Tue and Wed (real /done each day).
    for platforms in ((DISCORD,), (DISCORD, SLACK), (SLACK,)):
        for platform in platforms:
            counted = await bot.cmd("/done", user="ann", platform=platform)
            assert "checked in" in counted.text, counted.text
        await bot.advance(days=1)
    slack_streak = await bot.cmd("/streak", user="ann", platform=SLACK)
    assert "Current streak: **2 days**" in slack_streak.text
    assert "Check-ins: 2" in slack_streak.text

    reply = await link_accounts(bot, "ann")  # Thursday
    assert (
        "Current streak: **3 days**" in reply.text
        and "(1 day both had, counted once)" in reply.text
    )
    first = await bot.cmd("/done on discord", user="ann", platform=DISCORD)
    assert "streak **4 days**" in first.text
    second = await bot.cmd("/done on slack too", user="ann", platform=SLACK)
    assert "Already counted today" in second.text and "**4 days**" in second.text
    for platform in (DISCORD, SLACK):
        shown = await bot.cmd("/streak", user="ann", platform=platform)
        assert "Current streak: **4 days**" in shown.text and "Check-ins: 4" in shown.text
    ann = await member_of(bot.services, SLACK, "ann")
    assert [r.local_date for r in await checkin_rows(bot.services, ann.id)] == days(MON, 4)
    async with bot.services.sessions() as session:
        assert await verify_group(session, ann.group_id, StreakPolicy()) == []
