"""Shared fixtures: the network guard, real migrated databases, the bot harness."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.config import BUNDLED_CONTENT_DIR, Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.models import Platform
from bot.db import migrate
from bot.db.engine import create_engine
from tests.support import network_guard
from tests.support.fake_adapter import FakeAdapter
from tests.support.harness import BotHarness

network_guard.install()

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test"
# A Monday morning, far from any DST change; tests that need one pick their own dates.
DEFAULT_START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clean_platform_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up real tokens or a real database from the environment."""
    for name in list(os.environ):
        if name.startswith(("STUDYBOT_", "SLACK_", "DISCORD_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def content_store() -> ContentStore:
    """The bundled content, loaded once (it is immutable)."""
    return ContentStore.from_dir(BUNDLED_CONTENT_DIR)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file upgraded to head with the real migrations, copied per test."""
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def build() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await migrate.upgrade(engine)
        await engine.dispose()

    asyncio.run(build())
    return path


@pytest.fixture
def sqlite_url(migrated_template: Path, tmp_path: Path) -> str:
    """A fresh, fully migrated SQLite database for one test."""
    target = tmp_path / "studybot.db"
    shutil.copy(migrated_template, target)
    return f"sqlite+aiosqlite:///{target}"


def postgres_reachable() -> bool:
    """Whether the PostgreSQL server CI provides is listening."""
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=0.5):
            return True
    except OSError:
        return False


# Read once at import: the autouse fixture below clears every STUDYBOT_* variable per test,
# which would otherwise turn CI's "PostgreSQL is required" into a silent skip.
_POSTGRES_REQUIRED = os.environ.get("STUDYBOT_REQUIRE_POSTGRES") == "1"


def _postgres_required() -> bool:
    return _POSTGRES_REQUIRED


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards.

    Skips (saying why) when no server listens on 127.0.0.1:5432, unless
    ``STUDYBOT_REQUIRE_POSTGRES=1`` (set by ``.ci/run``), where it fails instead.
    """
    if not postgres_reachable():
        message = f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}"
        if _postgres_required():
            pytest.fail(message + " and STUDYBOT_REQUIRE_POSTGRES=1")
        pytest.skip(message + " (CI starts it and makes these tests required)")
    import asyncpg

    name = f"studybot_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    """Settings for a test app: the per-test database, no migrations at start."""
    return Settings(
        database_url_override=sqlite_url,
        data_dir=tmp_path,
        auto_migrate=False,
        content_dir=BUNDLED_CONTENT_DIR,
    )


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at :data:`DEFAULT_START`."""
    return FakeClock(DEFAULT_START)


@asynccontextmanager
async def started_bot(
    settings: Settings, clock: FakeClock, content: ContentStore
) -> AsyncIterator[BotHarness]:
    """The real app with fake adapters for console, Discord and Slack, started, then stopped."""
    adapters = {p: FakeAdapter(p) for p in Platform}
    app = App(
        settings=settings,
        clock=clock,
        content=content,
        adapter_factories=[lambda _app, a=a: a for a in adapters.values()],
    )
    await app.start()
    try:
        yield BotHarness(app=app, clock=clock, adapters=adapters)
    finally:
        await app.stop()


@pytest.fixture
async def bot(
    settings: Settings, clock: FakeClock, content_store: ContentStore
) -> AsyncIterator[BotHarness]:
    """The real app with fake adapters for console, Discord and Slack, started."""
    async with started_bot(settings, clock, content_store) as harness:
        yield harness


@pytest.fixture
async def pg_bot(
    postgres_url: str, tmp_path: Path, clock: FakeClock, content_store: ContentStore
) -> AsyncIterator[BotHarness]:
    """The same app on a fresh PostgreSQL database of its own."""
    settings = Settings(
        database_url_override=postgres_url,
        data_dir=tmp_path,
        auto_migrate=True,
        content_dir=BUNDLED_CONTENT_DIR,
    )
    async with started_bot(settings, clock, content_store) as harness:
        yield harness


@pytest.fixture
def anyio_backend() -> Iterator[str]:
    yield "asyncio"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that uses PostgreSQL carries the ``postgres`` marker (``-m postgres``).

    A test using the ``postgres_url`` fixture (directly or through another fixture) without
    the marker stops the run, so ``-m "not postgres"`` really leaves PostgreSQL alone.
    """
    unmarked = [
        item.nodeid
        for item in items
        if "postgres_url" in getattr(item, "fixturenames", ())
        and item.get_closest_marker("postgres") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "PostgreSQL tests without @pytest.mark.postgres: " + ", ".join(unmarked)
        )
