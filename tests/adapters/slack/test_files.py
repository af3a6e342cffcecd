"""A moderator's export arrives as a file in their DM; without uploads, a preview is shown."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.commands import Registry
from bot.features import all_routers
from tests.adapters.slack.support import ADMIN, SlackBot
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


def export_line() -> tuple[str, str]:
    registry = Registry(all_routers())
    assert registry.get("admin export") is not None
    return "/admin", "export checkins"


async def test_export_goes_to_the_moderators_dm(slack: SlackBot, uploads: UploadHost) -> None:
    command, text = export_line()
    await slack.command("/done", "wrote the export test", user=ADMIN)
    answer = await slack.command(command, text, user=ADMIN)
    assert "direct messages" in answer.text
    [completed] = uploads.completed
    assert completed["channel_id"] == slack.fake.dm_channel(ADMIN)
    [content] = uploads.uploads.values()
    assert b"wrote the export test" in content
    assert "```" not in answer.text  # no inline preview when the file was delivered


async def test_without_uploads_the_export_is_previewed(slack: SlackBot) -> None:
    command, text = export_line()
    await slack.command("/done", "previewed", user=ADMIN)
    answer = await slack.command(command, text, user=ADMIN)
    assert "could not send it as a file" in answer.text
    assert "previewed" in answer.text
