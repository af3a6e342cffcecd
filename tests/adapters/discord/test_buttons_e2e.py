"""Buttons: persistent across restarts, paging by editing, DMs, and the challenge's Done."""

from __future__ import annotations

import asyncio

from bot.adapters.discord.views import parse_custom_id
from bot.core.commands import Router
from bot.core.context import CommandContext
from bot.core.models import Button, Destination, Platform, Reply
from tests.adapters.discord.support import DiscordBot, custom_ids, is_ephemeral, message_text


def paging_router(presses: list[tuple[str, str]]) -> Router:
    """A feature-like router: a counter button and a pager that edits its own message."""
    router = Router()

    @router.action("test.count")
    async def count(ctx: CommandContext, value: str) -> Reply:
        presses.append((ctx.invocation.actor.user_id, value))
        return Reply(text=f"counted {value} for {ctx.space.external_id}")

    @router.action("test.page", ephemeral=False)
    async def page(ctx: CommandContext, value: str) -> Reply:
        number = int(value)
        buttons = (Button("Next", action_id="test.page", value=str(number + 1)),)
        return Reply(title="Board", text=f"page {number}", buttons=buttons, update_original=True)

    return router


def channel(bot: DiscordBot) -> Destination:
    fake = bot.fake
    return Destination(Platform.DISCORD, str(fake.guild_id), channel_id=str(fake.channel_id))


async def test_a_button_keeps_working_after_a_restart(discord_bot: DiscordBot) -> None:
    presses: list[tuple[str, str]] = []
    discord_bot.registry.include(paging_router(presses))
    reply = Reply(text="Press it", buttons=(Button("Count", action_id="test.count", value="7"),))
    sent = await discord_bot.adapter.send(channel(discord_bot), reply, idempotency_key="k1")
    message = discord_bot.fake.message(int(sent.message_id))
    assert custom_ids(message) == ["sb:test.count:7"]

    await discord_bot.restart()  # a new process: no view object survives in memory
    discord_bot.registry.include(paging_router(presses))
    answer = await discord_bot.click(message, "sb:test.count:7")

    assert answer.handle.response_type == 6  # acknowledged before any work
    assert presses == [(str(discord_bot.fake.user_id), "7")]
    assert answer.ephemeral and f"counted 7 for {discord_bot.fake.guild_id}" in answer.text
    assert discord_bot.fake.identify_count == 2


async def test_a_paging_button_edits_its_own_message(discord_bot: DiscordBot) -> None:
    discord_bot.registry.include(paging_router([]))
    reply = Reply(text="page 1", buttons=(Button("Next", action_id="test.page", value="2"),))
    sent = await discord_bot.adapter.send(channel(discord_bot), reply)
    answer = await discord_bot.click(int(sent.message_id), "sb:test.page:2")
    assert answer.handle.response_type == 6
    edited = discord_bot.fake.message(int(sent.message_id))
    assert "page 2" in message_text(edited) and custom_ids(edited) == ["sb:test.page:3"]
    assert answer.handle.followups == []  # nothing else was posted
    again = await discord_bot.click(edited, "sb:test.page:3")
    assert "page 3" in message_text(discord_bot.fake.message(int(sent.message_id)))
    assert not again.handle.rejected_callbacks


async def test_a_button_in_a_direct_message_reaches_its_group(discord_bot: DiscordBot) -> None:
    presses: list[tuple[str, str]] = []
    discord_bot.registry.include(paging_router(presses))
    fake = discord_bot.fake
    destination = Destination(Platform.DISCORD, str(fake.guild_id), user_id=str(fake.user_id))
    reply = Reply(text="Reminder", buttons=(Button("Count", action_id="test.count", value="1"),))
    sent = await discord_bot.adapter.send(destination, reply)
    [cid] = custom_ids(fake.message(int(sent.message_id)))
    press = parse_custom_id(cid)
    assert press is not None and press.space_id == str(fake.guild_id)
    answer = await discord_bot.click(int(sent.message_id), cid)
    assert presses == [(str(fake.user_id), "1")]
    assert f"counted 1 for {fake.guild_id}" in answer.text


def button_row(custom_id: str) -> list[dict[str, object]]:
    """One action row with one button, as an older studybot version might have posted."""
    button = {"type": 2, "style": 1, "label": "Old", "custom_id": custom_id}
    return [{"type": 1, "components": [button]}]


async def test_an_unknown_button_is_answered(discord_bot: DiscordBot) -> None:
    fake = discord_bot.fake
    assert fake.channel_id is not None
    for cid in ("legacy:thing", "sb:removed.action:1"):
        message = fake.add_message(fake.channel_id, "old post", components=button_row(cid))
        answer = await discord_bot.click(message, cid)
        assert answer.handle.response_type == 6
        assert answer.ephemeral and "no longer" in answer.text


async def test_the_challenge_done_button_checks_in_once(discord_bot: DiscordBot) -> None:
    assert discord_bot.registry.action("checkin.done") is not None
    await discord_bot.sync()
    post = await discord_bot.run("challenge")
    [message] = [m for m in post.messages if custom_ids(m)]
    [done] = [c for c in custom_ids(message) if c.startswith("sb:checkin.done:")]

    await discord_bot.restart()
    first = await discord_bot.click(message, done)
    second = await discord_bot.click(message, done)

    assert first.handle.response_type == 6 and second.handle.response_type == 6
    assert first.ephemeral and second.ephemeral
    assert first.text != second.text  # the second press says it was already counted
    # Counted once: the streak the second answer reports is still one day.
    assert "1 day" in first.text and "1 day" in second.text and "2 days" not in second.text
    assert all(is_ephemeral(m) for m in first.messages + second.messages)


async def test_a_press_is_acknowledged_before_the_work_runs(discord_bot: DiscordBot) -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    router = Router()

    @router.action("test.blocked")
    async def blocked(ctx: CommandContext, value: str) -> Reply:
        entered.set()
        await release.wait()
        return Reply(text="done at last")

    discord_bot.registry.include(router)
    reply = Reply(text="x", buttons=(Button("Go", action_id="test.blocked", value="1"),))
    sent = await discord_bot.adapter.send(channel(discord_bot), reply)
    handle = await discord_bot.fake.click_button(int(sent.message_id), "sb:test.blocked:1")
    assert (await handle.wait_response())["type"] == 6
    await asyncio.wait_for(entered.wait(), 5)
    assert handle.followups == []  # the work is still running, yet Discord has its ack
    release.set()
    answer = await discord_bot.finish(handle)
    assert answer.ephemeral and answer.text == "done at last"


async def test_a_long_answer_arrives_as_several_private_messages(discord_bot: DiscordBot) -> None:
    router = Router()
    lines = [f"{i:04d} " + "word " * 30 for i in range(400)]

    @router.action("test.long")
    async def long(ctx: CommandContext, value: str) -> Reply:
        return Reply(title="Everything", text="\n".join(lines))

    discord_bot.registry.include(router)
    reply = Reply(text="x", buttons=(Button("All", action_id="test.long", value="1"),))
    sent = await discord_bot.adapter.send(channel(discord_bot), reply)
    answer = await discord_bot.click(int(sent.message_id), "sb:test.long:1")
    assert len(answer.messages) > 1 and answer.ephemeral
    assert not answer.handle.rejected_callbacks and not discord_bot.fake.internal_errors
    received = [
        line for m in answer.messages for e in m["embeds"] for line in e["description"].split("\n")
    ]
    assert received == lines


async def test_the_leaderboard_pages_by_editing_its_message(discord_bot: DiscordBot) -> None:
    assert discord_bot.registry.get("leaderboard") and discord_bot.registry.get("done")
    await discord_bot.sync()
    fake = discord_bot.fake
    for user in (fake.user_id, fake.moderator_id):
        await discord_bot.run("done", user=user)
    board = await discord_bot.run("leaderboard", {"limit": 1})
    [message] = board.messages
    assert not board.ephemeral
    [next_page] = [c for c in custom_ids(message) if c.startswith("sb:leaderboard.page:")]
    before, before_ids = message_text(message), custom_ids(message)

    answer = await discord_bot.click(message, next_page)

    assert answer.handle.response_type == 6 and answer.handle.followups == []
    edited = fake.message(int(message["id"]))
    assert message_text(edited) != before  # the same message now shows the other page
    assert custom_ids(edited) and custom_ids(edited) != before_ids


async def test_own_streak_is_private_unless_shared(discord_bot: DiscordBot) -> None:
    assert discord_bot.registry.get("streak") is not None
    await discord_bot.sync()
    private = await discord_bot.run("streak")
    shared = await discord_bot.run("streak", {"share": True})
    assert private.ephemeral and private.handle.callbacks[0] == {"type": 5}
    assert shared.messages and not shared.ephemeral
