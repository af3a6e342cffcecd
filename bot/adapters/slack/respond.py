"""Answer an invocation after the ack: through its ``response_url``, else the Web API.

A ``response_url`` answers where the user asked, needs no channel membership and works in
DMs with the bot; it takes up to 5 posts in 30 minutes. When it fails (expired, used up,
unreachable), the reply goes through ``chat.postEphemeral`` / ``chat.postMessage`` instead.
Files go to the asker's DM (:mod:`bot.adapters.slack.files`).

A public answer to a stored command carries message metadata ``{"event_type":
"studybot_answer", "event_payload": {"inbox_key": …}}`` (``response_url`` takes ``metadata``
as ``chat.postMessage`` does), so that after a crash between sending it and marking it
answered, the inbox's recovery can find it in the channel's history instead of guessing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack.errors import error_code
from bot.adapters.slack.files import FileSender
from bot.adapters.slack.render import render_message
from bot.core.models import Reply

log = logging.getLogger(__name__)

ANSWER_EVENT_TYPE = "studybot_answer"
ANSWER_FIELD = "inbox_key"


def answer_metadata(inbox_key: str) -> dict[str, Any]:
    """The metadata a public answer to the stored command ``inbox_key`` carries."""
    return {"event_type": ANSWER_EVENT_TYPE, "event_payload": {ANSWER_FIELD: inbox_key}}


class ReplySender:
    """Delivers replies to the user who asked.

    Args:
        client: Web API client with the bot token (the fallback path).
        retry_handlers: Retry policy for ``response_url`` posts (rate limits, resets).
        session: Returns the shared aiohttp session (or ``None`` before start).
        logger: Logger handed to slack_sdk (secrets filtered).
    """

    def __init__(
        self,
        client: AsyncWebClient,
        retry_handlers: Sequence[AsyncRetryHandler],
        session: Callable[[], aiohttp.ClientSession | None],
        logger: logging.Logger,
    ) -> None:
        self._client = client
        self._files = FileSender(client)
        self._retry_handlers = list(retry_handlers)
        self._session = session
        self._logger = logger

    async def send(
        self,
        reply: Reply,
        *,
        response_url: str | None,
        channel_id: str | None,
        user_id: str,
        replace_original: bool = False,
        inbox_key: str | None = None,
    ) -> bool:
        """Deliver ``reply``; returns whether any path worked (failures are logged).

        ``inbox_key`` (the stored command this answers) is attached as metadata to a
        public answer posted into the channel.

        A file goes to the user's DM first; the reply then says so instead of previewing it.
        A card of a public reply is uploaded into the channel after the text (a private
        reply stays text: Slack has no ephemeral files).
        """
        sent = await self._send(
            reply,
            response_url=response_url,
            channel_id=channel_id,
            user_id=user_id,
            replace_original=replace_original,
            inbox_key=inbox_key,
        )
        if sent and reply.image is not None and not reply.ephemeral and channel_id:
            await self._files.card_to_channel(channel_id, reply.image)
        return sent

    async def _send(
        self,
        reply: Reply,
        *,
        response_url: str | None,
        channel_id: str | None,
        user_id: str,
        replace_original: bool,
        inbox_key: str | None,
    ) -> bool:
        if reply.file is not None and await self._files.to_dm(user_id, reply.file):
            note = f"📎 `{reply.file.filename}` is in your direct messages with me."
            reply = replace(reply, file=None, text=f"{reply.text}\n\n{note}".strip())
        message = render_message(reply)
        payload: dict[str, Any] = message.as_args()
        metadata = None
        if inbox_key and not reply.ephemeral and not replace_original:
            metadata = answer_metadata(inbox_key)
            payload["metadata"] = metadata
        if replace_original:
            payload["replace_original"] = True
        else:
            # Explicit: some surfaces treat a missing flag as "replace the message clicked".
            payload["replace_original"] = False
            payload["response_type"] = "ephemeral" if reply.ephemeral else "in_channel"
        if response_url and await self._post_response_url(response_url, payload):
            return True
        if not channel_id:
            return False
        try:
            if reply.ephemeral:
                await self._client.chat_postEphemeral(
                    channel=channel_id, user=user_id, **message.as_args()
                )
            else:
                args: dict[str, Any] = message.as_args()
                if metadata:
                    args["metadata"] = metadata
                await self._client.chat_postMessage(channel=channel_id, **args)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not answer %s in %s: %s", user_id, channel_id, error_code(exc))
            return False
        return True

    async def _post_response_url(self, url: str, payload: dict[str, Any]) -> bool:
        webhook = AsyncWebhookClient(
            url,
            session=self._session(),
            retry_handlers=self._retry_handlers,
            logger=self._logger,
        )
        try:
            response = await webhook.send_dict(payload)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("response_url unreachable: %s", type(exc).__name__)
            return False
        if response.status_code == 200:
            return True
        log.warning("response_url refused the reply: %s %s", response.status_code, response.body)
        return False
