"""Helpers for driving the Slack adapter the way Slack does, in either transport."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.retries import RateLimitRetryHandler
from bot.app import App
from tests.fakes.slack_records import ResponsePost
from tests.fakes.slack_server import FakeSlack

# Distinctive values, so a leak into the logs is unmistakable.
SECRET = "sign-5ecret-8f1c2a9e7d"
BOT_TOKEN = "xoxb-7771-8882-studybot-bot-token"
APP_TOKEN = "xapp-1-A0FAKE-9993-studybot-app-token"
MEMBER, ADMIN, OWNER = "U1ANN", "U2BOB", "U3OLGA"
GENERAL = "C1GENERAL"
SORRY_MARK = "something went wrong on my side"
# Methods the shared fake does not serve; the adapter degrades without them (tested both ways).
FAKE_GAPS = frozenset({"usergroups.list", "files.getUploadURLExternal"})


def tune(adapter: SlackAdapter) -> SlackAdapter:
    """Make waits that only protect real Slack short: no 429 jitter, quick channel pacing."""
    for handler in adapter.retry_handlers:
        if isinstance(handler, RateLimitRetryHandler):
            handler.jitter = 0.0
    adapter.poster.pacer.interval = 0.01
    return adapter


@dataclass(frozen=True)
class Answer:
    """What came back for one slash command: the ack and the delayed reply."""

    ack_status: int
    ack: Any
    post: ResponsePost

    @property
    def text(self) -> str:
        """Everything the user sees: fallback text and every block's text."""
        return self.post.body.get("text", "") + "\n" + json.dumps(self.post.blocks or [])


@dataclass
class SlackBot:
    """The started app, its Slack adapter and the fake, with Slack-side drivers."""

    app: App
    fake: FakeSlack
    adapter: SlackAdapter
    mode: str

    @property
    def url(self) -> str:
        """The bot's ``/slack/events`` address (HTTP mode)."""
        assert self.app.http is not None
        return f"http://127.0.0.1:{self.app.http.bound_port}/slack/events"

    async def command(
        self, command: str, text: str = "", *, user: str = MEMBER, channel: str = GENERAL
    ) -> Answer:
        """Send a slash command over the bot's transport; wait for its response_url reply."""
        if self.mode == "http":
            resp = await self.fake.send_slash_command(
                self.url, SECRET, command, text, user, channel_id=channel
            )
            request = self.fake.inbound()[-1]
            status, ack, rid = resp.status, request.answer, request.response_url_id
        else:
            payload = self.fake.slash_command_payload(
                command, text, user_id=user, channel_id=channel
            )
            envelope = await self.fake.socket_send("slash_commands", payload)
            status, ack = 200, await self.fake.wait_socket_ack(envelope)
            rid = payload["response_url"].rsplit("/", 1)[-1]
        post = await self.fake.wait_for_response_post(rid)
        return Answer(status, ack, post)

    async def click(
        self,
        action_id: str,
        *,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        user: str = MEMBER,
        payload: dict[str, Any] | None = None,
        retry_num: int | None = None,
    ) -> dict[str, Any]:
        """Press a button (or resend ``payload``, as Slack does on a retry); returns it."""
        if payload is None:
            payload = self.fake.block_actions_payload(
                action_id, message=message, view=view, user_id=user
            )
        if self.mode == "http":
            resp = await self.fake.send_signed(
                self.url,
                SECRET,
                urlencode({"payload": json.dumps(payload)}),
                "application/x-www-form-urlencoded",
                kind="block_actions",
                payload=payload,
                headers={"X-Slack-Retry-Num": str(retry_num)} if retry_num else None,
            )
            assert resp.status == 200
        else:
            envelope = await self.fake.socket_send(
                "interactive", payload, retry_attempt=retry_num or 0
            )
            await self.fake.wait_socket_ack(envelope)
        return payload

    async def event(self, event: dict[str, Any], *, event_id: str, retry_num: int = 0) -> None:
        """Deliver an Events API event (with a retry number, as Slack's redeliveries have)."""
        if self.mode == "http":
            resp = await self.fake.send_event(
                self.url, SECRET, event, event_id=event_id, retry_num=retry_num or None
            )
            assert resp.status == 200
        else:
            payload = self.fake.event_payload(event, event_id=event_id)
            envelope = await self.fake.socket_send(
                "events_api",
                payload,
                retry_attempt=retry_num,
                retry_reason="timeout" if retry_num else "",
            )
            await self.fake.wait_socket_ack(envelope)

    async def settle(self) -> None:
        """Wait until the adapter has finished every acknowledged request."""
        await self.adapter.wait_idle()
