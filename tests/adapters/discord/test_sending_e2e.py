"""Proactive posts over REST: embeds, idempotent nonces, rate limits and error mapping."""

from __future__ import annotations

import pytest

from bot import metrics
from bot.adapters.base import DirectMessagesClosed, SendError
from bot.adapters.discord.sending import nonce_for
from bot.core.models import Button, Destination, FileAttachment, Platform, Reply, ReplyField
from tests.adapters.discord.support import DiscordBot, custom_ids, message_text

MESSAGES = r"^/channels/\d+/messages$"


def channel(bot: DiscordBot, channel_id: int | None = None) -> Destination:
    fake = bot.fake
    return Destination(
        Platform.DISCORD, str(fake.guild_id), channel_id=str(channel_id or fake.channel_id)
    )


def rate_limited() -> float:
    return metrics.RATE_LIMITED.labels(platform="discord")._value.get()


async def test_a_post_lands_in_the_channel_as_an_embed_with_a_button(
    discord_bot: DiscordBot,
) -> None:
    reply = Reply(
        title="Challenge for Monday 2 March",
        text="Add a health check.",
        fields=(ReplyField("Hints", "- return 200"),),
        buttons=(Button("Done", action_id="checkin.done", value="c-42"),),
        mention_user_ids=("123456789012345678",),
    )
    sent = await discord_bot.adapter.send(channel(discord_bot), reply, idempotency_key="post:1")
    fake = discord_bot.fake
    assert sent.channel_id == str(fake.channel_id)
    [message] = fake.channel_messages(fake.channel_id or 0)
    assert str(message["id"]) == sent.message_id
    assert message["content"] == "<@123456789012345678>"
    [embed] = message["embeds"]
    assert (
        embed["title"] == "Challenge for Monday 2 March" and embed["fields"][0]["name"] == "Hints"
    )
    assert custom_ids(message) == ["sb:checkin.done:c-42"]
    [request] = fake.requests("POST", MESSAGES)
    assert request.json["nonce"] == nonce_for("post:1") and request.json["enforce_nonce"] is True
    assert request.json["allowed_mentions"]["parse"] == ["users"]


async def test_the_same_post_twice_creates_one_message(discord_bot: DiscordBot) -> None:
    reply = Reply(title="Tip", text="Use indexes.")
    first = await discord_bot.adapter.send(channel(discord_bot), reply, idempotency_key="tip:day1")
    again = await discord_bot.adapter.send(channel(discord_bot), reply, idempotency_key="tip:day1")
    other = await discord_bot.adapter.send(channel(discord_bot), reply, idempotency_key="tip:day2")
    fake = discord_bot.fake
    assert first == again and other != first
    assert fake.created_message_count(fake.channel_id or 0) == 2


async def test_a_long_post_is_split_and_a_retry_adds_nothing(discord_bot: DiscordBot) -> None:
    text = "\n".join(f"{i:04d} " + "lorem ipsum " * 8 for i in range(300))
    reply = Reply(title="Long", text=text)
    await discord_bot.adapter.send(channel(discord_bot), reply, idempotency_key="long")
    fake = discord_bot.fake
    created = fake.created_message_count(fake.channel_id or 0)
    assert created > 1
    nonces = [r.json["nonce"] for r in fake.requests("POST", MESSAGES)]
    assert len(set(nonces)) == created and all(len(n) <= 25 for n in nonces)
    await discord_bot.adapter.send(channel(discord_bot), reply, idempotency_key="long")
    assert fake.created_message_count(fake.channel_id or 0) == created
    posted = "\n".join(message_text(m) for m in fake.channel_messages(fake.channel_id or 0))
    assert "0000 lorem" in posted and "0299 lorem" in posted


async def test_a_429_is_waited_out_and_counted(discord_bot: DiscordBot) -> None:
    fake = discord_bot.fake
    fake.fail_next("POST", MESSAGES, 429, retry_after=0.3)
    before = rate_limited()
    sent = await discord_bot.adapter.send(channel(discord_bot), Reply(text="hello"))
    limited, accepted = fake.requests("POST", MESSAGES)
    assert (limited.status, accepted.status) == (429, 200)
    assert accepted.at - limited.at >= 0.25  # Retry-After was honoured, not hammered
    assert sent.message_id == str(accepted.response["id"])
    assert rate_limited() == before + 1


async def test_a_long_rate_limit_becomes_a_retry_later(discord_bot: DiscordBot) -> None:
    discord_bot.fake.fail_next("POST", MESSAGES, 429, retry_after=120)
    with pytest.raises(SendError) as caught:
        await discord_bot.adapter.send(channel(discord_bot), Reply(text="hello"))
    assert caught.value.retry_after == 120 and not caught.value.permanent


async def test_closed_direct_messages_raise_dm_closed(discord_bot: DiscordBot) -> None:
    fake = discord_bot.fake
    assert fake.user_id is not None
    fake.block_dms(fake.user_id)
    destination = Destination(Platform.DISCORD, str(fake.guild_id), user_id=str(fake.user_id))
    with pytest.raises(DirectMessagesClosed):
        await discord_bot.adapter.send(destination, Reply(text="Your streak ends in 2 hours"))
    fake.block_dms(fake.user_id, blocked=False)
    sent = await discord_bot.adapter.send(destination, Reply(text="Your streak ends in 2 hours"))
    assert sent.channel_id == str(fake.dm_channel_id(fake.user_id))


async def test_missing_access_is_permanent(discord_bot: DiscordBot) -> None:
    fake = discord_bot.fake
    assert fake.channel_id is not None
    fake.channel_forbidden(fake.channel_id)
    with pytest.raises(SendError) as caught:
        await discord_bot.adapter.send(channel(discord_bot), Reply(text="hi"))
    assert caught.value.permanent and caught.value.code == "50001"


async def test_an_unknown_channel_is_permanent(discord_bot: DiscordBot) -> None:
    with pytest.raises(SendError) as caught:
        await discord_bot.adapter.send(channel(discord_bot, 42), Reply(text="hi"))
    assert caught.value.permanent and caught.value.code == "10003"


async def test_a_server_error_is_transient(discord_bot: DiscordBot) -> None:
    discord_bot.fake.fail_next("POST", MESSAGES, 503)
    with pytest.raises(SendError) as caught:
        await discord_bot.adapter.send(channel(discord_bot), Reply(text="hi"))
    assert not caught.value.permanent and caught.value.code == "503"


async def test_a_file_is_attached(discord_bot: DiscordBot) -> None:
    reply = Reply(text="Export", file=FileAttachment("streaks.csv", b"member,days\nann,3\n"))
    await discord_bot.adapter.send(channel(discord_bot), reply)
    [request] = discord_bot.fake.requests("POST", MESSAGES)
    assert request.multipart and request.files[0].filename == "streaks.csv"
    assert request.files[0].data == b"member,days\nann,3\n"
