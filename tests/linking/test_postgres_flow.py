"""The whole linking flow on PostgreSQL: link spaces, merge two histories, unlink again.

The bulk moves (``INSERT … SELECT`` with literal values, primary-key updates of settings)
are the SQL most likely to differ between SQLite and PostgreSQL, so they run on both.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.features.checkins.audit_check import verify_group
from bot.streaks import StreakPolicy
from tests.linking.support import DISCORD, SLACK, link_accounts, link_spaces, member_of, space_row
from tests.support.harness import BotHarness


@pytest.mark.postgres
async def test_link_merge_and_unlink_on_postgres(pg_bot: BotHarness) -> None:
    bot = pg_bot
    await bot.cmd("/admin settings moderator_roles S0TEACHERS", user="mod", platform=SLACK)
    for platforms in ((DISCORD,), (DISCORD, SLACK), (SLACK,)):
        for platform in platforms:
            await bot.cmd("/done", user="ann", platform=platform)
        await bot.cmd("/done", user="sam", platform=SLACK)
        await bot.cmd("/leaderboard", user="sam", platform=SLACK)  # builds the board day
        bot.clock.advance(timedelta(days=1))  # no scheduled posts needed here

    await link_spaces(bot)
    reply = await link_accounts(bot, "ann")
    assert "Current streak: **3 days**" in reply.text, reply.text
    group = (await space_row(bot.services, DISCORD)).group_id
    async with bot.services.sessions() as session:
        assert await verify_group(session, group, StreakPolicy()) == []

    unlinked = await bot.cmd("/admin unlink-space", user="mod", platform=SLACK)
    assert unlinked.title == "Space unlinked", unlinked.text
    slack_group = (await space_row(bot.services, SLACK)).group_id
    assert slack_group != group
    assert (await member_of(bot.services, SLACK, "sam")).group_id == slack_group
    board = await bot.cmd("/leaderboard", user="sam", platform=SLACK)
    assert "1. sam — 3 days" in board.text and "ann" not in board.text, board.text
    async with bot.services.sessions() as session:
        for group_id in (group, slack_group):
            assert await verify_group(session, group_id, StreakPolicy()) == []
