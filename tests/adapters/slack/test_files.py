"""A moderator's export arrives as a file in their DM; without uploads, a preview is shown."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bot.core.commands import Registry
from bot.features import all_routers
from tests.adapters.slack.support import ADMIN, SlackBot
from tests.fakes.slack_server import FakeSlack


class UploadHost:
    """Serves ``files.getUploadURLExternal`` / ``files.completeUploadExternal`` for the fake
    (the shared fake has no file methods) plus the upload URLs they hand out."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.uploads: dict[str, bytes] = {}
        self.completed: list[dict[str, Any]] = []
        self.names: dict[str, str] = {}
        self._runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/upload/{id}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        self.fake.world.methods["files.getUploadURLExternal"] = self._get_url
        self.fake.world.methods["files.completeUploadExternal"] = self._complete

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _get_url(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = "F" + uuid.uuid4().hex[:10].upper()
        self.names[file_id] = str(args["filename"])
        return {"upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["id"]] = await request.read()
        return web.Response(text="OK - 1")

    def _complete(self, args: dict[str, Any]) -> dict[str, Any]:
        self.completed.append(args)
        files = args["files"]
        if isinstance(files, str):  # form-encoded calls send it as JSON text
            files = json.loads(files)
        return {
            "files": [
                {"id": f["id"], "name": self.names[f["id"]], "title": f["title"]} for f in files
            ]
        }


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
    spec = registry.get("admin export")
    if spec is None:
        pytest.skip("no /admin export command yet")
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
