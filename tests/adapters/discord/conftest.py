"""Fixtures: the loopback Discord and the real app running the Discord adapter against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import BUNDLED_CONTENT_DIR, Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from tests.adapters.discord.support import TOKEN, DiscordBot, StudyFakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[StudyFakeDiscord]:
    """A loopback Discord with one guild, #general, a member "alice" and a moderator."""
    async with StudyFakeDiscord(token=TOKEN) as server:
        yield server


@pytest.fixture
def discord_settings(sqlite_url: str, tmp_path: Path, fake: StudyFakeDiscord) -> Settings:
    """Settings pointing the adapter at the fake through the documented settings."""
    return Settings(
        database_url_override=sqlite_url,
        data_dir=tmp_path,
        auto_migrate=False,
        content_dir=BUNDLED_CONTENT_DIR,
        discord_token=SecretStr(TOKEN),
        discord_api_base_url=fake.api_base,
        discord_gateway_url=fake.gateway_url,
    )


@pytest.fixture
async def discord_bot(
    fake: StudyFakeDiscord,
    discord_settings: Settings,
    clock: FakeClock,
    content_store: ContentStore,
) -> AsyncIterator[DiscordBot]:
    """The real app (dispatcher, database, features) with the Discord adapter, connected."""
    bot = DiscordBot(fake, discord_settings, clock, content_store)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
