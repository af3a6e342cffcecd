"""Fixtures for the dashboard: the real app with the dashboard on, on a loopback port."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from tests.conftest import started_bot
from tests.support.harness import BotHarness

LINK = re.compile(r"https?://\S+/dashboard/signin\?t=[\w.\-]+")


@pytest.fixture
def dashboard_settings(settings: Settings) -> Settings:
    """The per-test settings with the dashboard on and a free loopback port."""
    return settings.model_copy(update={"dashboard": True, "http_port": 0, "http_host": "127.0.0.1"})


@pytest.fixture
async def dash(
    dashboard_settings: Settings, clock: FakeClock, content_store: ContentStore
) -> AsyncIterator[BotHarness]:
    """The real app with the dashboard on, fake adapters, started."""
    async with started_bot(dashboard_settings, clock, content_store) as harness:
        yield harness


def base_of(harness: BotHarness) -> str:
    """The dashboard's loopback address."""
    assert harness.app.http is not None
    return f"http://127.0.0.1:{harness.app.http.bound_port}"


def local_link(harness: BotHarness, link: str) -> str:
    """A sign-in link pointed at the test server (links carry the public base URL)."""
    parts = urlsplit(link)
    return f"{base_of(harness)}{parts.path}?{parts.query}"


def link_in(text: str) -> str:
    """The sign-in link in a reply's text."""
    found = LINK.search(text)
    assert found, f"no sign-in link in: {text}"
    return found.group(0)


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client that keeps cookies for 127.0.0.1."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Where browser tests keep their screenshots."""
    path = tmp_path / "artifacts"
    path.mkdir()
    return path
