"""Two instances on one PostgreSQL database: a link works once across both, sessions too."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import App
from bot.config import BUNDLED_CONTENT_DIR, Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.models import Platform
from tests.support.fake_adapter import FakeAdapter
from tests.support.harness import BotHarness
from tests.web.conftest import link_in

pytestmark = pytest.mark.postgres


@pytest.fixture
async def instances(
    postgres_url: str, tmp_path: Path, clock: FakeClock, content_store: ContentStore
) -> AsyncIterator[list[BotHarness]]:
    harnesses = []
    for name in ("a", "b"):
        settings = Settings(
            database_url_override=postgres_url,
            data_dir=tmp_path / name,
            content_dir=BUNDLED_CONTENT_DIR,
            dashboard=True,
            http_port=0,
            http_host="127.0.0.1",
            instance_id=name,
        )
        adapters = {p: FakeAdapter(p) for p in Platform}
        app = App(
            settings=settings,
            clock=clock,
            content=content_store,
            adapter_factories=[lambda _app, a=a: a for a in adapters.values()],
        )
        await app.start()  # the first one migrates the database
        harnesses.append(BotHarness(app=app, clock=clock, adapters=adapters))
    try:
        yield harnesses
    finally:
        for harness in harnesses:
            await harness.app.stop()


def port(harness: BotHarness) -> int:
    assert harness.app.http is not None
    return harness.app.http.bound_port


async def test_link_used_once_across_instances(instances: list[BotHarness]) -> None:
    a, b = instances
    reply = await a.cmd("/admin dashboard", user="mod")
    token = link_in(reply.text).split("t=", 1)[1]
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as client:
        url_b = f"http://127.0.0.1:{port(b)}/dashboard/signin"
        async with client.post(url_b, data={"t": token}) as signed_in:
            assert signed_in.status == 200
            overview_path = signed_in.url.path
        # The session opened on b is valid on a.
        async with client.get(f"http://127.0.0.1:{port(a)}{overview_path}") as page:
            assert page.status == 200
            assert re.search(r'id="members">\d+<', await page.text())
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        url_a = f"http://127.0.0.1:{port(a)}/dashboard/signin"
        async with other.post(url_a, data={"t": token}) as again:
            assert again.status == 403
            assert "already been used" in await again.text()
