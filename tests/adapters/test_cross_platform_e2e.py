"""One study group on Discord and Slack at once, end to end.

The real app runs the real Discord adapter (discord.py against the loopback Discord) and
the real Slack adapter (slack-bolt over signed HTTP against the loopback Slack) in one
process, on one database. Moderators link the guild and the workspace, a member links
their two accounts, checks in on Slack and sees the streak on Discord.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from pydantic import SecretStr

from bot.adapters.discord.factory import create as create_discord
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.factory import create as create_slack
from bot.app import App
from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from tests.adapters.discord.support import TOKEN, DiscordBot, StudyFakeDiscord
from tests.adapters.slack.support import (
    ADMIN,
    BOT_TOKEN,
    GENERAL,
    MEMBER,
    SECRET,
    SlackBot,
    tune,
)
from tests.fakes.slack_server import FakeSlack

CODE = re.compile(r"[0-9A-F]{4}(?:-[0-9A-F]{4}){3}")


@dataclass
class BothPlatforms:
    """The app and a driver for each platform (both drivers share the one app)."""

    app: App
    discord: DiscordBot
    slack: SlackBot


@pytest.fixture
async def both(
    settings: Settings, clock: FakeClock, content_store: ContentStore
) -> AsyncIterator[BothPlatforms]:
    """Both loopback platforms and the real app with both real adapters, connected."""
    async with (
        StudyFakeDiscord(token=TOKEN) as discord_fake,
        FakeSlack(bot_token=BOT_TOKEN) as slack_fake,
    ):
        slack_fake.add_user(MEMBER, "ann", tz="Europe/Berlin", display_name="Ann")
        slack_fake.add_user(ADMIN, "bob", is_admin=True, tz="America/New_York")
        slack_fake.add_channel(GENERAL, "general")
        configured = settings.model_copy(
            update={
                "discord_token": SecretStr(TOKEN),
                "discord_api_base_url": discord_fake.api_base,
                "discord_gateway_url": discord_fake.gateway_url,
                "slack_bot_token": SecretStr(BOT_TOKEN),
                "slack_signing_secret": SecretStr(SECRET),
                "slack_api_url": slack_fake.api_url,
                "http_port": 0,
                "http_host": "127.0.0.1",
                "shutdown_timeout": 5.0,
            }
        )
        discord_driver = DiscordBot(discord_fake, configured, clock, content_store)
        made: list[SlackAdapter] = []

        def slack_factory(app: App) -> SlackAdapter:
            made.append(tune(create_slack(app)))
            return made[0]

        app = App(
            settings=configured,
            clock=clock,
            content=content_store,
            adapter_factories=[
                lambda app: create_discord(app, **discord_driver.options),
                slack_factory,
            ],
        )
        await app.start()
        discord_driver.app = app
        slack_driver = SlackBot(app=app, fake=slack_fake, adapter=made[0], mode="http")
        try:
            await discord_driver.sync()
            yield BothPlatforms(app, discord_driver, slack_driver)
        finally:
            await app.stop()


def _code(text: str) -> str:
    found = CODE.search(text)
    assert found is not None, text
    return found.group(0)


async def test_link_check_in_on_slack_see_the_streak_on_discord(both: BothPlatforms) -> None:
    discord, slack = both.discord, both.slack
    moderator = discord.fake.moderator_id

    issued = await discord.run("admin", {}, subcommand="link-space", user=moderator)
    assert issued.ephemeral, issued.text
    linked = await slack.command("/admin", f"link-space {_code(issued.text)}", user=ADMIN)
    assert "Spaces linked" in linked.text, linked.text

    mine = await discord.run("link", {})
    assert mine.ephemeral
    joined = await slack.command("/link", _code(mine.text), user=MEMBER)
    assert "Accounts linked" in joined.text, joined.text

    done = await slack.command("/done", "wrote the cache layer", user=MEMBER)
    assert "checked in" in done.text and "1 day" in done.text, done.text
    again = await discord.run("done", {})
    assert "Already counted today" in again.text, again.text

    streak = await discord.run("streak", {})
    assert "Current streak: **1 day**" in streak.text, streak.text
    board = await discord.run("leaderboard", {})
    # One entry, under the name each platform knows her by.
    assert "1. Alice — 1 day" in board.text and "Ann" not in board.text, board.text
    on_slack = await slack.command("/leaderboard", "", user=ADMIN)
    assert "1. Ann — 1 day" in on_slack.text and "Alice" not in on_slack.text, on_slack.text
    status = await slack.command("/link", "status", user=MEMBER)
    assert "Discord server" in status.text and "Slack workspace" in status.text
