"""Fixtures for the Slack adapter's end-to-end tests: the real App, the real adapter and bolt,
and the loopback :class:`FakeSlack`, in HTTP mode and in Socket Mode."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from pydantic import SecretStr

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.factory import create
from bot.app import App
from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from tests.adapters.slack.support import (
    ADMIN,
    APP_TOKEN,
    BOT_TOKEN,
    GENERAL,
    MEMBER,
    OWNER,
    SECRET,
    SlackBot,
    tune,
)
from tests.fakes.slack_server import FakeSlack

BotFactory = Callable[..., "AsyncIterator[SlackBot]"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    """A loopback Slack workspace with a member, an admin, an owner and #general."""
    async with FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as slack:
        slack.add_user(MEMBER, "ann", tz="Europe/Berlin", display_name="Ann")
        slack.add_user(ADMIN, "bob", is_admin=True, tz="America/New_York")
        slack.add_user(OWNER, "olga", is_owner=True)
        slack.add_channel(GENERAL, "general")
        yield slack


def slack_settings(
    settings: Settings, fake: FakeSlack, mode: str, moderators: str = ""
) -> Settings:
    """The test settings plus Slack credentials for ``mode`` (``http`` or ``socket``)."""
    update: dict[str, object] = {
        "slack_bot_token": SecretStr(BOT_TOKEN),
        "slack_api_url": fake.api_url,
        "slack_moderators": moderators,
        "http_port": 0,
        "http_host": "127.0.0.1",
        "shutdown_timeout": 5.0,
    }
    if mode == "http":
        update["slack_signing_secret"] = SecretStr(SECRET)
    else:
        update["slack_app_token"] = SecretStr(APP_TOKEN)
    return settings.model_copy(update=update)


async def start_bot(
    settings: Settings,
    clock: FakeClock,
    content: ContentStore,
    fake: FakeSlack,
    mode: str,
    moderators: str = "",
) -> SlackBot:
    """Start the real App with the real Slack adapter factory against ``fake``."""
    made: list[SlackAdapter] = []

    def factory(app: App) -> SlackAdapter:
        adapter = tune(create(app))
        made.append(adapter)
        return adapter

    app = App(
        settings=slack_settings(settings, fake, mode, moderators),
        clock=clock,
        content=content,
        adapter_factories=[factory],
    )
    try:
        await app.start()
    except BaseException:
        await app.stop()  # what did start (HTTP server, database) is closed again
        raise
    bot = SlackBot(app=app, fake=fake, adapter=made[0], mode=mode)
    if mode == "socket":
        await fake.wait_socket_connected(1)
    return bot


@pytest.fixture(params=["http", "socket"])
async def slack(
    request: pytest.FixtureRequest,
    settings: Settings,
    clock: FakeClock,
    content_store: ContentStore,
    fake: FakeSlack,
) -> AsyncIterator[SlackBot]:
    """The bot on Slack, once over HTTP and once over Socket Mode."""
    bot = await start_bot(settings, clock, content_store, fake, request.param)
    try:
        yield bot
    finally:
        await bot.app.stop()


@pytest.fixture
async def slack_http(
    settings: Settings, clock: FakeClock, content_store: ContentStore, fake: FakeSlack
) -> AsyncIterator[SlackBot]:
    """The bot on Slack over HTTP (signed requests to /slack/events)."""
    bot = await start_bot(settings, clock, content_store, fake, "http")
    try:
        yield bot
    finally:
        await bot.app.stop()


@pytest.fixture
async def slack_socket(
    settings: Settings, clock: FakeClock, content_store: ContentStore, fake: FakeSlack
) -> AsyncIterator[SlackBot]:
    """The bot on Slack over Socket Mode."""
    bot = await start_bot(settings, clock, content_store, fake, "socket")
    try:
        yield bot
    finally:
        await bot.app.stop()
