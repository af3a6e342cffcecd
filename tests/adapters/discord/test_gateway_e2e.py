"""The gateway side: RECONNECT and dropped sockets resume, shards, autocomplete, shutdown."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.commands import Router
from bot.core.context import CommandContext
from bot.core.models import Button, Destination, Platform, Reply
from tests.adapters.discord.support import DiscordBot, StudyFakeDiscord
from tests.adapters.discord.test_commands_e2e import discord_completes as completes

OP_RESUME = 6


async def test_reconnect_resumes_the_session_and_keeps_serving(discord_bot: DiscordBot) -> None:
    fake = discord_bot.fake
    assert await fake.send_reconnect() == 1
    [resume] = await fake.wait_for_gateway(OP_RESUME)
    assert resume.d["session_id"] and resume.d["token"] == fake.token
    answer = await discord_bot.run("help")
    assert "studybot help" in answer.text
    assert (fake.identify_count, fake.resume_count) == (1, 1)


async def test_a_dropped_socket_resumes_too(discord_bot: DiscordBot) -> None:
    fake = discord_bot.fake
    await fake.drop_connection(code=4000)
    await fake.wait_for_gateway(OP_RESUME)
    assert "studybot help" in (await discord_bot.run("help")).text
    assert fake.identify_count == 1


async def test_autocomplete_offers_values_from_the_core(discord_bot: DiscordBot) -> None:
    await discord_bot.sync()
    spec = next(s for s in discord_bot.registry.commands if any(completes(p) for p in s.params))
    param = next(p for p in spec.params if completes(p))
    handle = await discord_bot.fake.autocomplete(
        spec.group or spec.name,
        {param.name: ""},
        user=discord_bot.fake.moderator_id,
        subcommand=spec.name if spec.group else None,
    )
    await handle.wait_response()
    assert handle.response_type == 8
    assert handle.choices and len(handle.choices) <= 25
    assert all(c["name"] and len(str(c["value"])) <= 100 for c in handle.choices)


def failing_completers() -> Router:
    router = Router()

    @router.completer("settings.keys")
    async def broken(ctx: CommandContext, prefix: str) -> list[str]:
        raise RuntimeError("database on fire")

    return router


async def test_autocomplete_answers_nothing_when_the_completer_fails(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.sync()
    discord_bot.registry.include(failing_completers())
    handle = await discord_bot.fake.autocomplete(
        "admin", {"key": "ti"}, subcommand="settings", user=discord_bot.fake.moderator_id
    )
    await handle.wait_response()
    assert handle.response_type == 8 and handle.choices == []


async def test_a_slow_completer_is_cut_off_in_time(discord_bot: DiscordBot) -> None:
    await discord_bot.sync()
    gate = asyncio.Event()
    router = Router()

    @router.completer("settings.keys")
    async def slow(ctx: CommandContext, prefix: str) -> list[str]:
        await gate.wait()  # never set: the adapter must not wait for it
        return ["never"]

    discord_bot.registry.include(router)
    discord_bot.adapter.handler.complete_timeout = 0.05
    handle = await discord_bot.fake.autocomplete(
        "admin", {"key": ""}, subcommand="settings", user=discord_bot.fake.moderator_id
    )
    await handle.wait_response()
    assert handle.response_type == 8 and handle.choices == []


# Running both shards in one process would take 5 s: discord.py spaces IDENTIFYs as
# Discord requires. One shard per process is the multi-process case anyway.
@pytest.mark.parametrize(("shard_ids", "expected"), [("0", [[0, 2]]), ("1", [[1, 2]])])
async def test_shards_from_the_settings(
    fake: StudyFakeDiscord,
    discord_settings: Settings,
    clock: FakeClock,
    content_store: ContentStore,
    shard_ids: str | None,
    expected: list[list[int]],
) -> None:
    settings = discord_settings.model_copy(
        update={"discord_shards": 2, "discord_shard_ids": shard_ids}
    )
    bot = DiscordBot(fake, settings, clock, content_store)
    await bot.start()
    try:
        assert sorted(i["shard"] for i in fake.identifies) == expected
        assert not fake.requests("GET", r"^/gateway/bot$")  # the configured gateway is used
    finally:
        await bot.stop()


async def test_stop_lets_a_running_press_finish(discord_bot: DiscordBot) -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    router = Router()

    @router.action("test.slow")
    async def slow(ctx: CommandContext, value: str) -> Reply:
        entered.set()
        await release.wait()
        return Reply(text="finished the slow thing")

    discord_bot.registry.include(router)
    fake = discord_bot.fake
    destination = Destination(Platform.DISCORD, str(fake.guild_id), channel_id=str(fake.channel_id))
    reply = Reply(text="x", buttons=(Button("Slow", action_id="test.slow", value="1"),))
    sent = await discord_bot.adapter.send(destination, reply)
    handle = await fake.click_button(int(sent.message_id), "sb:test.slow:1")
    await asyncio.wait_for(entered.wait(), 5)
    assert discord_bot.app is not None and discord_bot.app.dispatcher is not None
    dispatcher = discord_bot.app.dispatcher
    stopping = asyncio.create_task(discord_bot.stop())
    for _ in range(10_000):  # yield until the shutdown has begun and waits for the press
        if dispatcher.draining:
            break
        await asyncio.sleep(0)
    assert dispatcher.draining
    release.set()
    await asyncio.wait_for(stopping, 10)
    assert [m["embeds"][0]["description"] for m in handle.followups] == ["finished the slow thing"]
