"""The console plays both platforms: linking and a shared streak in a scripted session."""

from __future__ import annotations

import re
from pathlib import Path

from bot.adapters.console import factory
from bot.app import App
from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.models import Platform, SpaceRef
from bot.db.engine import create_engine, create_session_factory
from bot.db.repositories.spaces import get_or_create_space
from tests.adapters.test_console import run_console

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "docs" / "linking-demo.txt"


def test_scripted_session_links_both_sides_and_keeps_one_streak(tmp_path: Path) -> None:
    script = DEMO.read_text()
    result = run_console(script, tmp_path, "--simulated-clock", "2026-03-02T08:00")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "$code" not in out  # every code was filled in from the reply that gave it
    assert "Spaces linked" in out and "Accounts linked" in out
    assert "That code is not valid" not in out
    # Checked in on Slack; a second /done on Discord the same day counts once.
    assert "ann checked in for Monday 2 March: streak 1 day" in out
    assert "Already counted today" in out
    # Both simulated spaces got the linked group's challenge, the same one, once each.
    discord_posts = re.split(r">>> posted in discord #general[^\n]*\n", out)[1:]
    slack_posts = re.split(r">>> posted in slack #general[^\n]*\n", out)[1:]
    assert len(discord_posts) == len(slack_posts) == 1
    assert discord_posts[0].splitlines()[0] == slack_posts[0].splitlines()[0]
    assert discord_posts[0].startswith("Challenge for Monday 2 March")
    # Tuesday on Slack, seen on Discord: one streak of two days, one board entry.
    final = out.rsplit("ann> /streak", 1)[1]
    assert "Current streak: 2 days" in final and "Check-ins: 2" in final
    board = out.rsplit("ann> /leaderboard", 1)[1]
    assert "1. ann — 2 days" in board and "2. ann" not in board


async def test_the_console_prints_only_for_platforms_it_simulates(
    settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    # A database that has served a real Discord server: its posts must never be
    # "delivered" to the terminal (and marked sent in the ledger) by the console.
    engine = create_engine(settings.database_url)
    async with create_session_factory(engine)() as session, session.begin():
        real = SpaceRef(Platform.DISCORD, "900000000000000001", "Real guild")
        await get_or_create_space(session, real, clock.now())
    await engine.dispose()
    app = App(
        settings=settings, clock=clock, content=content_store, adapter_factories=[factory.create]
    )
    await app.start()
    try:
        sending = app.messenger.platforms()
        assert Platform.CONSOLE in sending and Platform.SLACK in sending
        assert Platform.DISCORD not in sending
    finally:
        await app.stop()
