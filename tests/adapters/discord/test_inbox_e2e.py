"""The durable inbox on Discord: stored before the defer, run once, finished after a crash.

Real discord.py against the loopback Discord. A "crash" lets the interactions be stored and
deferred ("thinking…") but never dispatched, then cancels them and stops the app, leaving
the database as a ``kill -9`` after the defers would. A new app on the same SQLite file
must run each one once and resolve its "thinking" message through the follow-up webhook,
or, past the token's 15 minutes, send a direct message.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.adapters.database import rows
from tests.adapters.discord.support import DiscordBot, message_text
from tests.fakes.discord_payloads import FLAG_LOADING


def hold_dispatch(bot: DiscordBot) -> None:
    """Interactions are stored and deferred, but never dispatched."""
    never = asyncio.Event()

    async def held(*_args: object) -> None:
        await never.wait()

    bot.adapter.handler._answer = held  # type: ignore[method-assign]


async def crash(bot: DiscordBot) -> None:
    """Cancel the held interactions and stop: nothing after the defers ran."""
    handler = bot.adapter.handler
    for task in list(handler._inflight):
        task.cancel()
    await asyncio.sleep(0)
    await bot.stop()


async def test_a_command_is_stored_answered_and_marked(discord_bot: DiscordBot) -> None:
    answer = await discord_bot.run("done", {"note": "stored first"})
    assert answer.messages and not answer.ephemeral
    assert discord_bot.app is not None
    await discord_bot.app.inbox.flush()
    assert await rows(discord_bot.settings, "SELECT status, summary FROM inbox") == [
        ("answered", "/done note:stored first")
    ]
    assert await rows(discord_bot.settings, "SELECT note FROM checkins") == [("stored first",)]


async def test_a_replayed_interaction_is_processed_once(discord_bot: DiscordBot) -> None:
    fake = discord_bot.fake
    handle = await fake.slash_command("done", {"note": "once"})
    await discord_bot.finish(handle)
    assert discord_bot.app is not None
    store = discord_bot.app.inbox
    before = store.batches
    # The gateway delivers the same INTERACTION_CREATE again (as a resume may).
    fake.dispatch_event("INTERACTION_CREATE", handle.payload, guild_id=handle.guild_id)
    for _ in range(500):  # until the redelivery reached the inbox (a condition, not a delay)
        if store.batches > before:
            break
        await asyncio.sleep(0.01)
    assert store.batches > before
    await asyncio.wait_for(discord_bot.adapter.handler.wait_idle(), 5)
    assert len(handle.callbacks) == 1 and handle.rejected_callbacks == []
    assert await rows(discord_bot.settings, "SELECT count(*) FROM checkins") == [(1,)]


async def test_deferred_commands_before_a_crash_are_run_once_after_restart(
    discord_bot: DiscordBot,
) -> None:
    fake = discord_bot.fake
    assert fake.guild_id is not None
    people = [fake.add_member(fake.guild_id, name=f"p{i}") for i in range(8)]
    hold_dispatch(discord_bot)
    handles = [await fake.slash_command("done", {"note": f"n{p}"}, user=p) for p in people]
    for handle in handles:
        await handle.wait_response()
        assert handle.loading  # deferred: "thinking…"
    await crash(discord_bot)
    assert await rows(discord_bot.settings, "SELECT count(*) FROM checkins") == [(0,)]

    discord_bot.clock.advance(timedelta(seconds=discord_bot.settings.inbox_lease + 1))
    await discord_bot.start()
    try:
        assert discord_bot.app is not None and discord_bot.app.recovery is not None
        await asyncio.wait_for(discord_bot.app.recovery.first_sweep.wait(), 10)
        for handle in handles:
            await fake._wait(lambda h=handle: h.followups or None, 5, "a follow-up")
            assert not handle.loading
            [message] = handle.followups
            assert not int(message.get("flags") or 0) & FLAG_LOADING
            assert "went wrong" not in message_text(message)
        stored = await rows(discord_bot.settings, "SELECT note FROM checkins ORDER BY note")
        assert stored == sorted((f"n{p}",) for p in people)
        await discord_bot.app.inbox.flush()
        assert await rows(discord_bot.settings, "SELECT DISTINCT status FROM inbox") == [
            ("answered",)
        ]
    finally:
        await discord_bot.stop()


async def test_past_the_token_window_the_member_gets_a_direct_message(
    discord_bot: DiscordBot,
) -> None:
    fake = discord_bot.fake
    assert fake.user_id is not None
    hold_dispatch(discord_bot)
    handle = await fake.slash_command("done", {"note": "kept for later"})
    await handle.wait_response()
    await crash(discord_bot)

    discord_bot.clock.advance(timedelta(minutes=20))
    await discord_bot.start()
    try:
        assert discord_bot.app is not None and discord_bot.app.recovery is not None
        await asyncio.wait_for(discord_bot.app.recovery.first_sweep.wait(), 10)
        dm = fake.dm_channel_id(fake.user_id)
        await fake._wait(lambda: fake.channel_messages(dm) or None, 5, "a DM")
        [message] = fake.channel_messages(dm)
        assert "Before I restarted, you sent `/done note:kept for later`" in message_text(message)
        assert handle.followups == []
        assert await rows(discord_bot.settings, "SELECT note FROM checkins") == [
            ("kept for later",)
        ]
    finally:
        await discord_bot.stop()
