"""Cards on Discord: a PNG attachment with alt text, shown by an embed, or text on failure."""

from __future__ import annotations

import pytest

from bot.core.models import Destination, ImageAttachment, Platform, Reply
from tests.adapters.discord.support import DiscordBot
from tests.cards import samples

MESSAGES = r"^/channels/\d+/messages$"


def card() -> ImageAttachment:
    from bot.cards.streak import alt_text, render_streak

    model = samples.streak()
    return ImageAttachment("streak.png", render_streak(model), alt_text(model))


async def test_a_streak_card_arrives_as_an_attachment_shown_by_an_embed(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.sync()
    await discord_bot.run("done", {})
    answer = await discord_bot.run("streak", {"view": "card"})
    [message] = answer.messages
    [attachment] = message["attachments"]
    assert attachment["filename"] == "streak.png"
    assert attachment["description"].startswith("Streak card for")
    assert message["embeds"][-1]["image"]["url"] == "attachment://streak.png"
    assert "Current streak" in answer.text  # the text stays
    uploads = [
        r for r in discord_bot.fake.recorded if r.multipart and r.files and r.method != "GET"
    ]
    assert uploads and uploads[-1].files[0].data.startswith(b"\x89PNG")


async def test_the_roadmap_card_arrives_as_an_attachment(discord_bot: DiscordBot) -> None:
    await discord_bot.sync()
    await discord_bot.run("roadmap", {"step": "done web-basics"})
    answer = await discord_bot.run("roadmap", {"step": "me card"})
    [message] = answer.messages
    [attachment] = message["attachments"]
    assert attachment["filename"] == "roadmap.png"
    assert attachment["description"].startswith("Roadmap progress for")
    assert message["embeds"][-1]["image"]["url"] == "attachment://roadmap.png"
    assert "1 of 16 steps finished" in answer.text


async def test_a_post_with_a_card_carries_the_picture(discord_bot: DiscordBot) -> None:
    fake = discord_bot.fake
    destination = Destination(Platform.DISCORD, str(fake.guild_id), channel_id=str(fake.channel_id))
    await discord_bot.adapter.send(destination, Reply(title="Weekly recap", image=card()))
    [request] = fake.requests("POST", MESSAGES)
    assert request.multipart and request.files[0].filename == "streak.png"
    assert request.json["embeds"][-1]["image"]["url"] == "attachment://streak.png"
    assert request.json["attachments"][0]["description"].startswith("Streak card")


async def test_a_refused_upload_falls_back_to_the_text(
    discord_bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    await discord_bot.sync()
    await discord_bot.run("done", {})
    fake = discord_bot.fake
    fake.fail_next("PATCH", r"/messages/@original$", 413)
    answer = await discord_bot.run("leaderboard", {"view": "card"})
    assert "You: **#1** of 1" in answer.text or "#1" in answer.text
    assert all(not m.get("attachments") for m in answer.messages)
    assert "card upload failed" in caplog.text


async def test_a_post_whose_card_is_refused_goes_out_as_text(discord_bot: DiscordBot) -> None:
    fake = discord_bot.fake
    destination = Destination(Platform.DISCORD, str(fake.guild_id), channel_id=str(fake.channel_id))
    fake.fail_next("POST", MESSAGES, 413)
    await discord_bot.adapter.send(destination, Reply(title="Weekly recap", image=card()))
    [message] = fake.channel_messages(fake.channel_id or 0)
    assert message["embeds"][0]["title"] == "Weekly recap" and not message["attachments"]
