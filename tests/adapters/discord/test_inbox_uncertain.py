"""A crash between claiming an answer (``answering``) and marking it ``answered``, on Discord.

Real discord.py against the loopback Discord, a real SQLite file and its migrations. The
recovery reads the interaction's original response back: still "thinking…" (the LOADING
flag) means the answer never arrived, so it is sent; resolved means it arrived, so nothing
is sent; gone (a public command's private answer deletes it first) cannot tell, so the
answer comes once more headed with the notice.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.adapters.discord import respond
from bot.adapters.discord.late import AGAIN
from tests.adapters.database import rows
from tests.adapters.discord.support import DiscordBot, is_ephemeral, message_text


async def restart(bot: DiscordBot) -> None:
    """Stop (the crash already happened), let the lease run out, start, first sweep."""
    await bot.stop()
    bot.clock.advance(timedelta(seconds=bot.settings.inbox_lease + 1))
    await bot.start()
    assert bot.app is not None and bot.app.recovery is not None
    await asyncio.wait_for(bot.app.recovery.first_sweep.wait(), 10)
    await asyncio.wait_for(bot.adapter.handler.wait_idle(), 5)
    await bot.app.inbox.flush()


def never_marked(bot: DiscordBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process dies right after the answer went out: ``answered`` is never stored."""
    assert bot.app is not None
    monkeypatch.setattr(bot.app.inbox, "answered", lambda key: None)


async def test_an_answer_that_resolved_the_thinking_message_is_not_sent_again(
    discord_bot: DiscordBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    never_marked(discord_bot, monkeypatch)
    answer = await discord_bot.run("done", {"note": "answered before the crash"})
    handle = answer.handle
    assert len(handle.edits) == 1 and not handle.loading
    assert await rows(discord_bot.settings, "SELECT status FROM inbox") == [("answering",)]

    await restart(discord_bot)
    assert handle.followups == [] and len(handle.edits) == 1  # read back, not re-sent
    assert await rows(discord_bot.settings, "SELECT status FROM inbox") == [("answered",)]
    assert await rows(discord_bot.settings, "SELECT count(*) FROM checkins") == [(1,)]


async def test_an_answer_the_crash_stopped_resolves_the_thinking_message_after_restart(
    discord_bot: DiscordBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = discord_bot.fake
    sending = asyncio.Event()

    async def dies_while_sending(*_args: object) -> None:
        sending.set()
        await asyncio.Event().wait()  # the process is killed here

    with monkeypatch.context() as patched:
        patched.setattr(respond, "_deliver", dies_while_sending)
        handle = await fake.slash_command("done", {"note": "claimed, never sent"})
        await asyncio.wait_for(sending.wait(), 10)
        for task in list(discord_bot.adapter.handler._inflight):
            task.cancel()
        await asyncio.sleep(0)
    assert handle.loading and handle.edits == [] and handle.followups == []
    assert await rows(discord_bot.settings, "SELECT status FROM inbox") == [("answering",)]

    await restart(discord_bot)
    await fake._wait(lambda: handle.followups or None, 5, "the answer")
    [message] = handle.followups
    assert not handle.loading
    # Certainly never delivered (still "thinking…"), so no notice is needed.
    assert not message_text(message).startswith(AGAIN.strip())
    assert "checked in" in message_text(message)
    assert await rows(discord_bot.settings, "SELECT status FROM inbox") == [("answered",)]


async def test_a_private_answer_to_a_public_command_is_repeated_once_with_the_notice(
    discord_bot: DiscordBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await discord_bot.run("done", {"note": "first"})
    assert discord_bot.app is not None
    await discord_bot.app.inbox.flush()
    never_marked(discord_bot, monkeypatch)
    second = await discord_bot.run("done", {"note": "second, same day"})
    handle = second.handle
    [private] = handle.followups  # "Already counted": the public "thinking…" was deleted
    assert is_ephemeral(private) and handle.original_message() is None

    await restart(discord_bot)
    await discord_bot.fake._wait(lambda: handle.followups[1:] or None, 5, "the repeat")
    _, repeat = handle.followups
    assert message_text(repeat).startswith(AGAIN.strip()) and is_ephemeral(repeat)
    assert "Already counted" in message_text(repeat)
    assert await rows(discord_bot.settings, "SELECT DISTINCT status FROM inbox") == [("answered",)]
