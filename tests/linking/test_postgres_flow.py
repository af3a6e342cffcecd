"""The whole linking flow on PostgreSQL: link spaces, merge two histories, unlink again.

The bulk moves (``INSERT … SELECT`` with literal values, primary-key updates of settings)
are the SQL most likely to differ between SQLite and PostgreSQL, so they run on both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.config import BUNDLED_CONTENT_DIR, Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.models import Platform
from bot.features.checkins.audit_check import verify_group
from bot.streaks import StreakPolicy
from tests.linking.support import DISCORD, SLACK, link_accounts, link_spaces, member_of, space_row
from tests.support.fake_adapter import FakeAdapter
from tests.support.harness import BotHarness


@pytest.fixture
async def pg_bot(
    postgres_url: str, tmp_path: Path, clock: FakeClock, content_store: ContentStore
) -> AsyncIterator[BotHarness]:
    """The real app with fake adapters, on a fresh PostgreSQL database."""
    settings = Settings(
        database_url_override=postgres_url,
        data_dir=tmp_path,
        auto_migrate=True,
        content_dir=BUNDLED_CONTENT_DIR,
    )
    adapters = {p: FakeAdapter(p) for p in Platform}
    app = App(
        settings=settings,
        clock=clock,
        content=content_store,
        adapter_factories=[lambda _app, a=a: a for a in adapters.values()],
    )
    await app.start()
    try:
        yield BotHarness(app=app, clock=clock, adapters=adapters)
    finally:
        await app.stop()


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
    assert "Current streak: **3** day(s)" in reply.text, reply.text
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
