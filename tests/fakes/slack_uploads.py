"""File uploads for the fake Slack: the two methods of the upload flow and the upload URL.

Slack's files upload v2 flow is ``files.getUploadURLExternal`` (returns a URL and a file
id), a POST of the bytes to that URL, then ``files.completeUploadExternal`` with the file
ids and a ``channel_id`` to share them in. :class:`UploadHost` adds both methods to a
running :class:`~tests.fakes.slack_server.FakeSlack` and serves the URLs on a loopback port.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from aiohttp import web

from .slack_server import FakeSlack
from .slack_world import ApiError


class UploadHost:
    """Serves ``files.getUploadURLExternal`` / ``files.completeUploadExternal`` for the fake,
    plus the upload URLs they hand out.

    Checks what Slack checks: the upload URL was issued and used before completion, the
    uploaded length matches the announced ``length``, and the target channel exists.
    Attributes ``uploads`` (file id → bytes), ``completed`` (the complete calls' arguments)
    and ``files`` (file id → the file as shared, with ``alt_txt`` and ``title``) record it.
    """

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.uploads: dict[str, bytes] = {}
        self.completed: list[dict[str, Any]] = []
        self.names: dict[str, str] = {}
        self.lengths: dict[str, int] = {}
        self.alt_texts: dict[str, str] = {}
        self.files: dict[str, dict[str, Any]] = {}
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
        if args.get("length") in (None, ""):
            raise ApiError("invalid_arguments")
        self.lengths[file_id] = int(args["length"])
        if args.get("alt_txt"):  # getUploadURLExternal is where Slack takes the alt text
            self.alt_texts[file_id] = str(args["alt_txt"])
        return {"upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["id"]] = await request.read()
        return web.Response(text="OK - 1")

    def _complete(self, args: dict[str, Any]) -> dict[str, Any]:
        self.completed.append(args)
        files = args["files"]
        if isinstance(files, str):  # form-encoded calls send it as JSON text
            files = json.loads(files)
        for f in files:
            data = self.uploads.get(f["id"])
            if data is None:
                raise ApiError("file_not_found")
            if len(data) != self.lengths[f["id"]]:
                raise ApiError("file_upload_size_mismatch")
            self.files[f["id"]] = {
                "id": f["id"],
                "name": self.names[f["id"]],
                "title": f.get("title"),
                "alt_txt": self.alt_texts.get(f["id"]),
                "channel_id": args.get("channel_id"),
                "size": len(data),
            }
        return {
            "files": [
                {"id": f["id"], "name": self.names[f["id"]], "title": f["title"]} for f in files
            ]
        }
