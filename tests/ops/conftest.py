"""Fixtures for the operations tests: an app with its HTTP server on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import aiohttp
import pytest

from bot.app import App
from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.models import Actor, Invocation, Platform, SpaceRef
from tests.support.fake_adapter import FakeAdapter


@dataclass
class HttpApp:
    """A started app with an HTTP server, its fake adapter and an HTTP client."""

    app: App
    adapter: FakeAdapter
    client: aiohttp.ClientSession

    @property
    def base(self) -> str:
        assert self.app.http is not None
        return f"http://127.0.0.1:{self.app.http.bound_port}"

    async def get(self, path: str, **kwargs: object) -> tuple[int, str, str]:
        """GET ``path``: status, content type header and body text."""
        async with self.client.get(self.base + path, **kwargs) as response:  # type: ignore[arg-type]
            return response.status, response.headers["Content-Type"], await response.text()

    async def command(self, line: str, user: str = "ann") -> str:
        """Run a command through the real dispatcher; returns the reply text."""
        command, _, text = line.lstrip("/").partition(" ")
        invocation = Invocation(
            platform=Platform.CONSOLE,
            space=SpaceRef(Platform.CONSOLE, "console", "Console study group"),
            actor=Actor(user_id=user, display_name=user),
            command=command,
            channel_id="general",
            text=text,
        )
        assert self.app.dispatcher is not None
        return (await self.app.dispatcher.dispatch(invocation)).text


@pytest.fixture
def http_settings(settings: Settings) -> Settings:
    """The test settings with the HTTP server on a free loopback port."""
    return settings.model_copy(update={"http_port": 0, "http_host": "127.0.0.1"})


@pytest.fixture
async def http_app(
    http_settings: Settings, clock: FakeClock, content_store: ContentStore
) -> AsyncIterator[HttpApp]:
    """The real app (one fake console adapter) serving HTTP on 127.0.0.1."""
    async with started(http_settings, clock, content_store) as running:
        yield running


class started:
    """``async with started(settings, clock, content) as http_app``: start, then stop."""

    def __init__(
        self,
        settings: Settings,
        clock: FakeClock,
        content: ContentStore,
        adapter: FakeAdapter | None = None,
    ) -> None:
        self.adapter = adapter or FakeAdapter(Platform.CONSOLE)
        self.app = App(
            settings=settings,
            clock=clock,
            content=content,
            adapter_factories=[lambda _app: self.adapter],
        )
        self.client: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> HttpApp:
        await self.app.start()
        self.client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        return HttpApp(self.app, self.adapter, self.client)

    async def __aexit__(self, *_exc: object) -> None:
        if self.client is not None:
            await self.client.close()
        await self.app.stop()


@dataclass
class CliResult:
    """Exit status and output of one ``studybot`` command run in-process."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., CliResult]:
    """Run ``studybot ARGS...`` in this process against ``DATABASE_URL=url``.

    Logging set-up is skipped: it would replace pytest's log handlers for the session.
    """
    import bot.cli.common
    from bot.cli import main

    monkeypatch.setattr(bot.cli.common, "configure_logging", lambda *_args: None)

    def run(*args: str, url: str | None = None) -> CliResult:
        if url is not None:
            monkeypatch.setenv("DATABASE_URL", url)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
