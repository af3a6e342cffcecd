"""A command reads its group's settings once (issue 20): the dispatcher's moderator check
and the handler share one load."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.support.harness import BotHarness


def _count_settings_reads(bot: BotHarness) -> list[str]:
    engine = bot.app.engine
    assert engine is not None
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        flat = " ".join(statement.split()).lower()
        if flat.startswith("select") and "from settings" in flat:
            seen.append(flat)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    return seen


async def test_a_check_in_and_a_streak_read_the_group_settings_once(bot: BotHarness) -> None:
    await bot.cmd("/help")  # first contact: the member exists from here on
    await bot.cmd("/done")
    seen = _count_settings_reads(bot)
    for command in ("/streak", "/done", "/leaderboard"):
        seen.clear()
        await bot.cmd(command)
        assert len(seen) == 1, (command, seen)
