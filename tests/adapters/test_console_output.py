"""What the console shows: Markdown drawn for a terminal, posts under a marker, files saved
under the data folder with their path, quoted names in meta-commands (issue 19)."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.adapters.console.adapter import ConsoleAdapter, TimeControl
from bot.adapters.console.markdown import plain_mentions, render_for_terminal
from bot.core.models import Destination, FileAttachment, Platform, Reply, ReplyField
from tests.support.harness import BotHarness

ANSI = re.compile(r"\x1b\[[0-9;]*m")


async def _lines(*items: str) -> AsyncIterator[str]:
    for item in items:
        yield item


def test_terminal_rendering_draws_markdown_and_mentions() -> None:
    reply = Reply(
        title="Your streak",
        text="Current **2 days** in <#general>, thanks to <@U01|ann> and <@!1234>.\n- `code`",
        fields=(ReplyField("Hints", "- one\n- two"),),
        buttons=(),
        footer="Your day ends in 3 h.",
    )
    drawn = render_for_terminal(reply)
    assert "\x1b[" in drawn  # colours and bold for a terminal
    shown = ANSI.sub("", drawn)
    assert "**" not in shown and "`" not in shown and "=====" not in shown
    assert "#general" in shown and "@ann" in shown and "@1234" in shown
    assert "<#" not in shown and "<@" not in shown
    assert "Hints:" in shown and "• one" in shown
    assert not any(line.endswith(" ") for line in shown.splitlines())


def test_terminal_rendering_keeps_each_line() -> None:
    shown = ANSI.sub(
        "", render_for_terminal(Reply(text="Current streak: 2 days.\nLongest: 5 days."))
    )
    assert shown.splitlines() == ["Current streak: 2 days.", "Longest: 5 days."]


def test_plain_mentions() -> None:
    assert (
        plain_mentions("<#C1|general> <#general> <@U1|ann> <@&99>") == "#general #general @ann @99"
    )


async def test_scripted_output_stays_plain(bot: BotHarness) -> None:
    out = io.StringIO()
    assert bot.app.dispatcher is not None
    adapter = ConsoleAdapter(
        bot.app.dispatcher, lines=_lines("/help"), output=out, interactive=False
    )
    await adapter.start()
    await adapter.wait_closed()
    assert "\x1b[" not in out.getvalue()


async def test_posts_show_under_a_marker_with_the_time(bot: BotHarness) -> None:
    out = io.StringIO()
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    async def advance(_delta: timedelta) -> None:
        """Not used here."""

    assert bot.app.dispatcher is not None
    adapter = ConsoleAdapter(
        bot.app.dispatcher,
        lines=_lines(),
        output=out,
        interactive=False,
        time_control=TimeControl(now=lambda: now, advance=advance),
    )
    await adapter.send(Destination(Platform.CONSOLE, "console", "general"), Reply(text="Hello"))
    await adapter.send(
        Destination(Platform.DISCORD, "g", None, user_id="ann"), Reply(text="Reminder")
    )
    text = out.getvalue()
    assert ">>> posted in #general · Mon 2 Mar 09:00 UTC\nHello" in text
    assert ">>> posted in discord DM to @ann · Mon 2 Mar 09:00 UTC\nReminder" in text


async def test_an_attached_file_is_saved_under_the_data_folder(
    bot: BotHarness, tmp_path: Path
) -> None:
    out = io.StringIO()
    assert bot.app.dispatcher is not None
    folder = tmp_path / "data" / "exports"
    adapter = ConsoleAdapter(
        bot.app.dispatcher, lines=_lines(), output=out, interactive=False, file_dir=folder
    )
    reply = Reply(text="2 check-ins exported.", file=FileAttachment("checkins.csv", b"a,b\n1,2\n"))
    for _ in range(2):
        await adapter.send(Destination(Platform.CONSOLE, "console", "general"), reply)
    first, second = folder / "checkins.csv", folder / "checkins-2.csv"
    assert first.read_bytes() == second.read_bytes() == b"a,b\n1,2\n"
    text = out.getvalue()
    assert f"(file saved: {first.resolve()}, 8 bytes)" in text
    assert f"(file saved: {second.resolve()}, 8 bytes)" in text


async def test_meta_commands_take_quoted_names(bot: BotHarness) -> None:
    out = io.StringIO()
    assert bot.app.dispatcher is not None
    adapter = ConsoleAdapter(
        bot.app.dispatcher,
        lines=_lines(':as "Ann Lee" --mod', ':as "open quote'),
        output=out,
        interactive=False,
    )
    await adapter.start()
    await adapter.wait_closed()
    text = out.getvalue()
    assert "You are now `Ann Lee` (moderator)." in text
    assert "unclosed quote" in text
