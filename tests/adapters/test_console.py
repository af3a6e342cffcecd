"""The console end to end: a scripted stdin session through the real `studybot` entry point."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from bot.adapters.console.adapter import ConsoleAdapter, parse_duration
from tests.support.harness import BotHarness

ROOT = Path(__file__).resolve().parents[2]


def run_console(
    script: str, tmp_path: Path, *extra: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``studybot run`` on the console with ``script`` as input; ``timeout`` guards hangs."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("STUDYBOT_", "SLACK_", "DISCORD_"))
    }
    env.pop("DATABASE_URL", None)
    env["STUDYBOT_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", *extra],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=timeout,
    )


def test_scripted_session_help_settings_and_refusal(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/help",
            "/admin settings",
            "/admin settings timezone Europe/Berlin",
            ":as bob",
            "/admin settings",
            ":as you --mod",
            "/admin settings",
        ]
    )
    result = run_console(script, tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "you> /help" in out and "Moderator commands:" in out
    assert "`timezone` changed from UTC to Europe/Berlin." in out
    bob_part = out.split("bob> /admin settings", 1)[1].split("you> ", 1)[0]
    assert "is for moderators of this group" in bob_part
    assert out.rstrip().endswith("Change one with `/admin settings KEY VALUE`.")
    assert (tmp_path / "data" / "studybot.db").exists()
    # Data persists: a second run sees the timezone set in the first.
    again = run_console("/admin settings timezone", tmp_path)
    assert "Europe/Berlin" in again.stdout


def test_help_lists_subcommands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0
    for name in ("run", "db", "content"):
        assert name in result.stdout


def test_parse_duration() -> None:
    assert parse_duration("1d").days == 1
    assert parse_duration("2h30m").total_seconds() == 9000
    assert parse_duration("90m").total_seconds() == 5400
    for bad in ("", "1x", "d", "1d junk"):
        try:
            parse_duration(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} parsed")


async def _lines(*items: str) -> AsyncIterator[str]:
    for item in items:
        yield item


async def test_console_adapter_in_process_renders_and_meta(bot: BotHarness) -> None:
    out = io.StringIO()
    assert bot.app.dispatcher is not None
    adapter = ConsoleAdapter(
        bot.app.dispatcher,
        lines=_lines("/help", ":now", ":bogus", "hello", ":as ann", "/admin settings"),
        output=out,
        interactive=False,
    )
    await adapter.start()
    await adapter.wait_closed()
    text = out.getvalue()
    assert "studybot help" in text
    assert "start with --simulated-clock" in text
    assert "Unknown console command :bogus" in text
    assert "Commands start with /" in text
    assert "is for moderators" in text


def test_code_blocks_keep_alignment_without_fences() -> None:
    from bot.adapters.console.render import render
    from bot.core.models import Reply, ReplyField

    text = render(Reply(fields=(ReplyField("Last 30 days", "```\nMo Tu We\n x  .  x\n```"),)))
    assert "```" not in text
    assert "  Mo Tu We\n   x  .  x" in text
