"""The fake Slack's ``response_url`` sink (``POST /response/<id>``).

Like Slack, a response_url accepts at most 5 posts (then ``404 used_url``), answers ``ok`` in plain
text, and applies the body: ``replace_original`` / ``delete_original`` change the source message
of a block action, ``response_type: in_channel`` posts into the channel as the bot, anything
else becomes an ephemeral message for the invoking user. Slash command ack bodies are applied the
same way.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .slack_payloads import block_errors
from .slack_records import Recorder, ResponsePost
from .slack_world import SlackWorld

__all__ = ["ResponseUrlSink"]

Args = dict[str, Any]


@dataclass
class _ResponseUrl:
    channel_id: str | None
    user_id: str | None
    message_ts: str | None
    uses: int = 0
    expired: bool = False


class ResponseUrlSink:
    """Registry and handler of fake response_urls.

    Args:
        world: The workspace replies are applied to.
        recorder: Where posts are recorded.
        base_url: Returns the server's ``http://host:port``.
    """

    def __init__(self, world: SlackWorld, recorder: Recorder, base_url: Callable[[], str]) -> None:
        self.world = world
        self.recorder = recorder
        self.base_url = base_url
        self.urls: dict[str, _ResponseUrl] = {}

    def register(
        self,
        id: str | None = None,
        *,
        channel_id: str | None = None,
        user_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """Register a response_url and return ``http://127.0.0.1:PORT/response/<id>``.

        Args:
            id: Last path segment; a fresh UUID when omitted.
            channel_id: Channel replies go to (``in_channel``) or are shown in (ephemeral).
            user_id: Who sees ephemeral replies.
            message_ts: Source message, for ``replace_original`` / ``delete_original``.
        """
        rid = id or uuid.uuid4().hex
        self.urls[rid] = _ResponseUrl(channel_id, user_id, message_ts)
        return f"{self.base_url()}/response/{rid}"

    def expire(self, id: str) -> None:
        """Make later posts to response_url ``id`` fail with ``404 expired_url``."""
        self.urls[id].expired = True

    def apply_reply(
        self, channel_id: str | None, user_id: str | None, message_ts: str | None, body: Args
    ) -> str | None:
        """Apply a response_url / ack body the way Slack shows it; return an error or None."""
        channel = self.world.channels.get(channel_id) if channel_id else None
        original = None
        if channel is not None and message_ts:
            original = channel.find(message_ts) or next(
                (m for m in channel.ephemerals if m["ts"] == message_ts), None
            )
        if body.get("delete_original"):
            if channel is not None and original is not None:
                for bucket in (channel.messages, channel.ephemerals):
                    if original in bucket:
                        bucket.remove(original)
            return None
        if not (body.get("text") or body.get("blocks") or body.get("attachments")):
            return "no_text"
        if body.get("blocks") is not None and block_errors(body["blocks"]):
            return "invalid_blocks"
        if body.get("replace_original") and original is not None:
            for key in ("text", "blocks", "attachments"):
                if key in body:
                    original[key] = copy.deepcopy(body[key])
            original["edited"] = {"user": self.world.bot_user_id, "ts": self.world.next_ts()}
            return None
        if channel is None:
            return None
        msg = self.world.bot_message(body, self.world.next_ts())
        if body.get("response_type") == "in_channel":
            channel.messages.append(msg)
        else:
            msg["to_user"] = user_id
            channel.ephemerals.append(msg)
        return None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for ``POST /response/{id}``."""
        rid = request.match_info["id"]
        arrived = time.monotonic()
        raw = await request.text()
        try:
            parsed = json.loads(raw)
            body: Args = parsed if isinstance(parsed, dict) else {}
        except ValueError:
            body = {}
        state = self.urls.get(rid)
        if not body:
            status, answer = 400, "invalid_payload"
        elif state is None or state.expired:
            status, answer = 404, "expired_url"
        elif state.uses >= 5:
            status, answer = 404, "used_url"
        else:
            error = self.apply_reply(state.channel_id, state.user_id, state.message_ts, body)
            status, answer = (400, error) if error else (200, "ok")
            if not error:
                state.uses += 1
        self.recorder.response_posts.append(ResponsePost(rid, body, arrived, status, answer))
        await self.recorder.notify()
        return web.Response(status=status, text=answer)
