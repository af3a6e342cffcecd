"""Linking a Discord server and a Slack workspace into one group, and taking one out again."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.db.models import ExcusedDay, Group, Post, RotationEntry, Setting
from bot.db.repositories import settings as settings_repo
from bot.features.checkins.audit_check import verify_group
from bot.features.schedule.runtime import runtime_of
from bot.streaks import StreakPolicy
from tests.linking.support import (
    DISCORD,
    SLACK,
    add_checkins,
    audit_actions,
    checkin_rows,
    code_of,
    days,
    link_accounts,
    link_spaces,
    member_of,
    space_row,
)
from tests.support.harness import BotHarness

DISCORD_CHANNEL = "111111111111111111"
SLACK_CHANNEL = "C0DAILY"


async def _group_ids(bot: BotHarness) -> tuple[int, int]:
    return (
        (await space_row(bot.services, DISCORD)).group_id,
        (await space_row(bot.services, SLACK)).group_id,
    )


async def test_linking_joins_the_groups_with_one_settings_set(bot: BotHarness) -> None:
    await bot.cmd("/admin settings timezone Europe/Berlin", user="mod", platform=DISCORD)
    await bot.cmd("/admin settings timezone America/New_York", user="mod", platform=SLACK)
    await bot.cmd("/admin settings moderator_roles 42", user="mod", platform=DISCORD)
    await bot.cmd("/admin settings moderator_roles S0TEACHERS", user="mod", platform=SLACK)
    discord_group, slack_group = await _group_ids(bot)
    assert discord_group != slack_group

    reply = await link_spaces(bot)
    assert "Discord server" in reply.text and "Slack workspace" in reply.text
    assert "Europe/Berlin" in reply.text
    assert await _group_ids(bot) == (discord_group, discord_group)
    async with bot.services.sessions() as session:
        assert await session.get(Group, slack_group) is None
        values = await settings_repo.load(session, discord_group)
    assert values["timezone"] == "Europe/Berlin"  # the issuing group's settings apply
    assert sorted(values["moderator_roles"]) == ["42", "S0TEACHERS"]  # nobody loses moderation
    shown = await bot.cmd("/admin settings timezone", user="mod", platform=SLACK)
    assert "Europe/Berlin" in shown.text
    # A Slack teacher allowed through the joining group's roles is still a moderator.
    allowed = await bot.cmd(
        "/admin settings",
        user="tina",
        platform=SLACK,
        moderator=False,
        roles=frozenset({"S0TEACHERS"}),
    )
    assert allowed.title == "Group settings"

    [*_, entry] = await audit_actions(bot.services, discord_group)
    assert entry.action == "space.link"
    assert entry.before["group_id"] == slack_group
    assert entry.before["settings"]["timezone"] == "America/New_York"
    assert entry.after["group_id"] == discord_group


async def test_members_and_history_move_with_the_space_and_keep_their_streaks(
    bot: BotHarness,
) -> None:
    await bot.cmd("/help", user="sam", platform=SLACK)
    sam = await member_of(bot.services, SLACK, "sam")
    await add_checkins(bot.services, sam, days(date(2026, 2, 25), 5), platform=SLACK)
    async with bot.services.sessions() as session, session.begin():
        # A group-wide amnesty the Slack group granted before the link.
        session.add(
            ExcusedDay(
                group_id=sam.group_id,
                member_id=None,
                day=date(2026, 2, 20),
                reason="outage",
                created_at=bot.clock.now(),
            )
        )
    await link_spaces(bot)
    discord_group, _ = await _group_ids(bot)
    moved = await member_of(bot.services, SLACK, "sam")
    assert moved.id == sam.id and moved.group_id == discord_group
    async with bot.services.sessions() as session:
        excused = list((await session.execute(select(ExcusedDay))).scalars())
    # The amnesty stays with the members it was granted to, not the whole new group.
    assert {(e.group_id, e.day) for e in excused} == {(discord_group, date(2026, 2, 20))}
    assert sam.id in {e.member_id for e in excused} and None not in {e.member_id for e in excused}
    discord_people = {(await member_of(bot.services, DISCORD, "mod")).id}
    assert not discord_people & {e.member_id for e in excused}
    rows = await checkin_rows(bot.services, sam.id)
    assert len(rows) == 5 and {r.group_id for r in rows} == {discord_group}


async def test_the_same_challenge_on_the_same_date_in_both_places(bot: BotHarness) -> None:
    before_discord = await bot.cmd("/challenge", user="ann", platform=DISCORD)
    await bot.cmd("/challenge", user="ann", platform=SLACK)
    await link_spaces(bot)
    on_discord = await bot.cmd("/challenge", user="ann", platform=DISCORD)
    on_slack = await bot.cmd("/challenge", user="bob", platform=SLACK)
    assert on_discord.title == on_slack.title == before_discord.title
    discord_group, _ = await _group_ids(bot)
    async with bot.services.sessions() as session:
        groups = set((await session.execute(select(RotationEntry.group_id))).scalars())
    assert groups == {discord_group}


async def test_daily_posts_go_to_every_linked_space_exactly_once(bot: BotHarness) -> None:
    await bot.cmd(f"/admin setup channel:<#{DISCORD_CHANNEL}>", user="mod", platform=DISCORD)
    await bot.cmd(f"/admin setup channel:<#{SLACK_CHANNEL}|daily>", user="mod", platform=SLACK)
    await link_spaces(bot)
    await bot.advance(hours=1, minutes=1)  # 09:01 UTC: the challenge time
    discord, slack = bot.adapters[DISCORD], bot.adapters[SLACK]
    [on_discord] = discord.posts(DISCORD_CHANNEL)
    [on_slack] = slack.posts(SLACK_CHANNEL)
    assert on_discord.reply.title == on_slack.reply.title
    await bot.advance(days=1)
    assert len(discord.posts(DISCORD_CHANNEL)) == len(slack.posts(SLACK_CHANNEL)) == 2
    assert (
        discord.posts(DISCORD_CHANNEL)[1].reply.title == slack.posts(SLACK_CHANNEL)[1].reply.title
    )
    async with bot.services.sessions() as session:
        rows = (
            await session.execute(
                select(Post.space_id, Post.channel_id, Post.kind, Post.local_date)
            )
        ).all()
    assert len(rows) == len(set(rows))
    challenge_rows = [r for r in rows if r.kind == "challenge"]
    assert len({r.space_id for r in challenge_rows}) >= 2


async def test_a_code_from_the_same_group_is_refused_and_kept(bot: BotHarness) -> None:
    await link_spaces(bot)
    code = code_of(await bot.cmd("/admin link-space", user="mod", platform=DISCORD))
    same = await bot.cmd(f"/admin link-space {code}", user="mod", platform=SLACK)
    assert "already in that group" in same.text
    own = await bot.cmd(f"/admin link-space {code}", user="mod", platform=DISCORD)
    assert "already in that group" in own.text


async def test_a_linked_group_joins_another_with_all_its_spaces(bot: BotHarness) -> None:
    await link_spaces(bot)  # Discord + Slack
    code = code_of(
        await bot.cmd(
            "/admin link-space", user="you", platform=bot.adapter.platform, moderator=True
        )
    )
    await bot.cmd(f"/admin link-space {code}", user="mod", platform=SLACK)
    console_group = (await space_row(bot.services, bot.adapter.platform)).group_id
    assert await _group_ids(bot) == (console_group, console_group)


async def test_unlinking_a_space_gives_it_its_own_group_again(bot: BotHarness) -> None:
    await bot.cmd(f"/admin setup channel:<#{SLACK_CHANNEL}|daily>", user="mod", platform=SLACK)
    await bot.cmd("/help", user="sam", platform=SLACK)  # only on Slack
    await link_spaces(bot)
    await bot.cmd("/admin settings timezone Asia/Tokyo", user="mod", platform=DISCORD)
    await link_accounts(bot, "ann")  # on both
    ann = await member_of(bot.services, DISCORD, "ann")
    sam = await member_of(bot.services, SLACK, "sam")
    await add_checkins(bot.services, ann, days(date(2026, 2, 27), 3), platform=SLACK)
    await add_checkins(bot.services, sam, days(date(2026, 2, 27), 2), platform=SLACK)
    challenge = await bot.cmd("/challenge", user="ann", platform=DISCORD)
    shared_group, _ = await _group_ids(bot)

    denied = await bot.cmd("/admin unlink-space", user="ann", platform=SLACK)
    assert "for moderators" in denied.text
    reply = await bot.cmd("/admin unlink-space", user="mod", platform=SLACK)
    assert reply.title == "Space unlinked", reply.text

    discord_group, slack_group = await _group_ids(bot)
    assert discord_group == shared_group and slack_group != shared_group
    # Sam goes along with everything; ann's history stays with her Discord account.
    assert (await member_of(bot.services, SLACK, "sam")).group_id == slack_group
    assert (await member_of(bot.services, DISCORD, "ann")).id == ann.id
    slack_ann = await member_of(bot.services, SLACK, "ann")
    assert slack_ann.id != ann.id and slack_ann.group_id == slack_group
    async with bot.services.sessions() as session:
        values = await settings_repo.load(session, slack_group)
        space_values = list(
            (
                await session.execute(select(Setting).where(Setting.scope.startswith("space:")))
            ).scalars()
        )
    assert values["timezone"] == "Asia/Tokyo"  # a copy of the settings it had
    assert {(s.group_id, s.value) for s in space_values if s.key == "challenge.channel"} == {
        (slack_group, SLACK_CHANNEL)
    }
    # The same challenge today on both sides: the rotation history was copied.
    assert (await bot.cmd("/challenge", user="sam", platform=SLACK)).title == challenge.title
    for group_id in (discord_group, slack_group):
        actions = [e.action for e in await audit_actions(bot.services, group_id)]
        assert actions[-1] == "space.unlink"
    # The scheduler re-planned: the Slack space's own group posts on its own timer now.
    armed = runtime_of(bot.services).scheduler.armed(slack_group)
    assert armed["challenge"] is not None
    again = await bot.cmd("/admin unlink-space", user="mod", platform=SLACK)
    assert "not linked" in again.text


async def test_one_leaderboard_with_exact_figures_through_link_and_unlink(
    bot: BotHarness,
) -> None:
    for day in range(3):
        await bot.cmd("/done", user="dora", platform=DISCORD)
        if day:
            await bot.cmd("/done", user="sam", platform=SLACK)
        await bot.advance(days=1)
    # Both groups have built their boards (board day, score counts).
    assert "dora" in (await bot.cmd("/leaderboard", user="dora", platform=DISCORD)).text
    assert "sam" in (await bot.cmd("/leaderboard", user="sam", platform=SLACK)).text

    await link_spaces(bot)
    group, _ = await _group_ids(bot)
    for platform in (DISCORD, SLACK):
        board = (await bot.cmd("/leaderboard", user="mod", platform=platform)).text
        assert "1. dora — 3 days" in board and "2. sam — 2 days" in board, board
    async with bot.services.sessions() as session:
        assert await verify_group(session, group, StreakPolicy()) == []

    await bot.cmd("/admin unlink-space", user="mod", platform=SLACK)
    discord_group, slack_group = await _group_ids(bot)
    on_discord = (await bot.cmd("/leaderboard", user="mod", platform=DISCORD)).text
    on_slack = (await bot.cmd("/leaderboard", user="mod", platform=SLACK)).text
    assert "dora" in on_discord and "sam" not in on_discord
    assert "1. sam — 2 days" in on_slack and "dora" not in on_slack
    async with bot.services.sessions() as session:
        for group_id in (discord_group, slack_group):
            assert await verify_group(session, group_id, StreakPolicy()) == []
