"""Cards on Slack: uploaded into the channel (files upload v2) with alt text, else text."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.core.models import Destination, ImageAttachment, Platform, Reply
from tests.adapters.slack.support import ADMIN, GENERAL, MEMBER, SlackBot
from tests.fakes.slack_server import FakeSlack
from tests.fakes.slack_uploads import UploadHost


@pytest.fixture
async def uploads(fake: FakeSlack) -> AsyncIterator[UploadHost]:
    host = UploadHost(fake)
    await host.start()
    try:
        yield host
    finally:
        await host.stop()


async def test_a_public_card_is_uploaded_into_the_channel(
    slack: SlackBot, uploads: UploadHost
) -> None:
    await slack.command("/done", user=MEMBER)
    answer = await slack.command("/leaderboard", "card", user=ADMIN)
    await slack.settle()
    assert "Leaderboard" in answer.text  # the text reply is there as always
    [shared] = uploads.files.values()
    assert shared["channel_id"] == GENERAL and shared["name"] == "leaderboard.png"
    assert shared["alt_txt"].startswith("Leaderboard · current streaks")
    assert shared["title"]
    [data] = uploads.uploads.values()
    assert data.startswith(b"\x89PNG")


async def test_a_private_card_stays_text(slack: SlackBot, uploads: UploadHost) -> None:
    await slack.command("/done", user=MEMBER)
    answer = await slack.command("/streak", "card", user=MEMBER)
    await slack.settle()
    assert "Current streak" in answer.text
    assert uploads.completed == []  # Slack has no ephemeral files


async def test_without_uploads_the_text_stands_alone(
    slack: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    await slack.command("/done", user=MEMBER)
    with caplog.at_level(logging.WARNING):
        answer = await slack.command("/leaderboard", "card", user=ADMIN)
        await slack.settle()
    assert "1. Ann — 1 day" in answer.text
    assert "could not upload card leaderboard.png" in caplog.text


async def test_a_recap_post_carries_its_card(slack: SlackBot, uploads: UploadHost) -> None:
    image = ImageAttachment("weekly-recap.png", b"\x89PNG fake", "Weekly recap card")
    destination = Destination(Platform.SLACK, slack.fake.team_id, channel_id=GENERAL)
    await slack.adapter.send(destination, Reply(title="Weekly recap", image=image))
    [shared] = uploads.files.values()
    assert shared["channel_id"] == GENERAL and shared["alt_txt"] == "Weekly recap card"
