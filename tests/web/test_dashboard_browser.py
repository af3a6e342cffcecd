"""The dashboard in a real headless Chromium, signed in from a console `/admin dashboard`.

The app runs with the real console adapter (lines fed in, output captured), so the link
is the one a moderator would copy from the terminal; the browser follows it, reads the
leaderboard, changes a setting that the console then shows, and is refused what it must
be refused: a used link, a member's link, a form without its CSRF token.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.adapters.console.adapter import ConsoleAdapter
from bot.app import App
from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.models import Actor
from bot.features.dashboard import signing_secret
from bot.features.dashboard.tokens import new_claims, sign
from tests.web.browser import artifacts_dir, chromium_path
from tests.web.conftest import link_in


class Screen(io.StringIO):
    """The console's output, counting writes so a test can wait for an answer."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0
        self.changed = asyncio.Condition()

    def write(self, text: str) -> int:
        self.writes += 1
        written = super().write(text)
        asyncio.get_running_loop().create_task(self._notify())
        return written

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()


@dataclass
class Console:
    """The running app and its console: type lines, read what it printed."""

    app: App
    lines: asyncio.Queue[str | None]
    out: Screen

    async def type(self, line: str) -> str:
        """Type one line and return what the console printed for it (echo and answer)."""
        start, writes = len(self.out.getvalue()), self.out.writes
        self.lines.put_nowait(line)
        async with self.out.changed:
            await asyncio.wait_for(
                self.out.changed.wait_for(lambda: self.out.writes >= writes + 2), timeout=30
            )
        return self.out.getvalue()[start:]

    @property
    def base(self) -> str:
        assert self.app.http is not None
        return f"http://127.0.0.1:{self.app.http.bound_port}"


@pytest.fixture
async def console(
    settings: Settings, clock: FakeClock, content_store: ContentStore
) -> AsyncIterator[Console]:
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    out = Screen()

    async def feed() -> AsyncIterator[str]:
        while (line := await lines.get()) is not None:
            yield line

    app = App(
        settings=settings.model_copy(
            update={"dashboard": True, "http_port": 0, "http_host": "127.0.0.1"}
        ),
        clock=clock,
        content=content_store,
    )
    app.adapter_factories.append(
        lambda a: ConsoleAdapter(a.dispatcher, lines=feed(), output=out, interactive=False)
    )
    await app.start()
    try:
        yield Console(app, lines, out)
    finally:
        lines.put_nowait(None)
        await app.stop()


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    path = chromium_path()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=path, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield chromium
        finally:
            await chromium.close()


def on_test_server(console: Console, link: str) -> str:
    # The console prints the public URL (STUDYBOT_DASHBOARD_URL); tests use the bound port.
    return console.base + "/dashboard/" + link.split("/dashboard/", 1)[1]


async def console_link(console: Console) -> str:
    printed = await console.type("/admin dashboard")
    assert "(only you can see this)" in printed
    return on_test_server(console, link_in(printed))


async def test_moderator_uses_the_dashboard(console: Console, browser, tmp_path: Path) -> None:
    shots = artifacts_dir(tmp_path)
    await console.type("/done")
    await console.type(":as bea")
    await console.type("/done")
    await console.type(":as you --mod")
    link = await console_link(console)
    page = await (await browser.new_context()).new_page()
    page.set_default_timeout(10_000)
    response = await page.goto(link)
    assert response is not None and response.headers["referrer-policy"] == "no-referrer"
    await page.click("#signin")
    await page.wait_for_selector("#members")
    assert await page.inner_text("#members") == "2"
    assert await page.inner_text("#active-today") == "2"
    await page.screenshot(path=str(shots / "overview.png"), full_page=True)

    await page.click("text=Leaderboards")
    await page.click("text=Check-ins")
    table = await page.inner_text("#board")
    assert "you" in table and "bea" in table
    await page.screenshot(path=str(shots / "leaderboard.png"), full_page=True)

    await page.click("#board >> text=bea")
    await page.wait_for_selector("svg.calendar")
    assert await page.inner_text("#current") == "1"
    await page.screenshot(path=str(shots / "member.png"), full_page=True)

    for name, label in (("schedule", "Schedule"), ("audit", "Audit log"), ("exports", "Exports")):
        await page.click(f"header nav >> text={label}")
        await page.wait_for_load_state()
        await page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        if name == "audit":
            assert "dashboard.signin" in await page.inner_text("table.audit")

    await page.click("header nav >> text=Settings")
    row = page.locator("tr", has=page.locator('td.value[data-key="timezone"]'))
    await row.locator('input[name="value"]').fill("Europe/Lisbon")
    await row.locator("button").click()
    await page.wait_for_selector("#notice")
    assert "Europe/Lisbon" in await page.inner_text("#notice")
    await page.screenshot(path=str(shots / "settings.png"), full_page=True)
    printed = await console.type("/admin settings timezone")
    assert "Europe/Lisbon" in printed

    # A form posted without its CSRF token (with the browser's own session cookie).
    refused = await page.request.post(
        page.url.split("?")[0], form={"key": "timezone", "value": "UTC"}
    )
    assert refused.status == 403
    assert "Europe/Lisbon" in await console.type("/admin settings timezone")

    # The same link again, in a fresh browser: refused.
    other = await (await browser.new_context()).new_page()
    await other.goto(link)
    await other.click("#signin")
    assert "already been used" in await other.inner_text("main")
    await other.screenshot(path=str(shots / "link-reused.png"))


async def test_a_members_link_is_refused(console: Console, browser) -> None:
    await console.type(":as bob")
    await console.type("/done")
    printed = await console.type("/admin dashboard")
    assert "is for moderators" in printed and "/dashboard/signin" not in printed
    # Even a correctly signed link made out to a member (say, a moderator since demoted)
    # opens nothing: the moderator rule is checked again when it is used.
    services = console.app.require_services()
    async with services.sessions() as session, session.begin():
        from sqlalchemy import select

        from bot.db.models import Identity, Member

        member = (
            await session.execute(
                select(Member).join(Identity).where(Identity.platform_user_id == "bob")
            )
        ).scalar_one()
        secret = await signing_secret(services, session, services.clock.now())
    claims = new_claims(member.group_id, member.id, "console", "console", Actor("bob", "bob"))
    token = sign(claims, secret, services.clock)
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{console.base}/dashboard/signin?t={token}")
    await page.click("#signin")
    assert "for moderators" in await page.inner_text("main")
    cookies = await page.context.cookies()
    assert not [c for c in cookies if c["name"] == "studybot_dashboard"]
