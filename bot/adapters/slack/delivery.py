"""Proactive messages (scheduled challenges, reminders): paced, de-duplicated, errors mapped.

- **Pacing.** Slack allows about one ``chat.postMessage`` per second per channel. The process
  has one pacer, :class:`~bot.scheduling.pacing.Pacer` (per workspace and per channel):
  scheduled posts reserve their slot in ``Delivery`` and reach :meth:`SlackPostSender.post`
  unpaced; what the adapter sends on its own (late answers) goes through
  :meth:`SlackPostSender.send`, which reserves the slot in the same pacer. A 429 pushes the
  channel's next slot back (``Delivery`` does that for scheduled posts).
- **No double posts.** ``chat.postMessage`` has no idempotency key, so every post carries message
  metadata ``{"event_type": "studybot_post", "event_payload": {"key": …}}``. Before posting into
  a channel (or re-sending a key already tried in this process) we look for that key in recent
  history and return the existing message instead. DMs are only checked on such a re-send, to keep
  reminder waves from costing a history call each.
- **Errors.** Slack failures become :class:`SendError` (permanent or not, with ``retry_after``
  for 429s the client's own retries did not absorb) or :class:`DirectMessagesClosed`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
from bot.adapters.base import DirectMessagesClosed, SendError
from bot.adapters.slack.cache import SeenKeys, TtlCache
from bot.adapters.slack.errors import error_code
from bot.adapters.slack.files import FileSender
from bot.adapters.slack.render import render_message
from bot.adapters.slack.respond import ANSWER_EVENT_TYPE, ANSWER_FIELD
from bot.adapters.slack.retries import retry_after_seconds
from bot.core.models import Destination, Reply, SentRef
from bot.scheduling.pacing import Pacer

log = logging.getLogger(__name__)

POST_EVENT_TYPE = "studybot_post"
HISTORY_LOOKBACK_SECONDS = 3 * 24 * 3600
HISTORY_PAGE = 200
# A crash's uncertain answers are looked for this many pages back (a busy channel's burst).
ANSWER_PAGES = 50
DM_CLOSED_ERRORS = frozenset(
    {"messages_tab_disabled", "cannot_dm_bot", "user_disabled", "user_not_visible"}
)
PERMANENT_ERRORS = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "user_not_found",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "ekm_access_denied",
        "team_access_not_granted",
        "missing_scope",
        "not_allowed_token_type",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "no_permission",
        "invalid_blocks",
        "invalid_metadata_format",
        "msg_too_long",
        "no_text",
        "too_many_attachments",
    }
)


class SlackPostSender:
    """Sends proactive replies through ``chat.postMessage``.

    Args:
        client: A Web API client with the bot token (and the rate-limit retry handler).
        pacer: The process's one pacer, used by :meth:`send` only.

    Attributes:
        bot_id: Our ``B…`` id (set from ``auth.test``), to recognise our own messages.
    """

    def __init__(self, client: AsyncWebClient, pacer: Pacer | None = None) -> None:
        self._client = client
        self.pacer = pacer or Pacer()
        self.bot_id: str | None = None
        self._attempted = SeenKeys(ttl=24 * 3600)
        self._dm_channels: TtlCache[str] = TtlCache(24 * 3600)

    async def send(
        self, destination: Destination, reply: Reply, idempotency_key: str | None
    ) -> SentRef:
        """Wait for a slot in the pacer, then :meth:`post` (for sends no ``Delivery`` paced)."""
        await self.pacer.acquire(destination)
        try:
            return await self.post(destination, reply, idempotency_key)
        except SendError as exc:
            if exc.retry_after is not None:
                self.pacer.back_off(destination, exc.retry_after)
            raise

    async def post(
        self, destination: Destination, reply: Reply, idempotency_key: str | None
    ) -> SentRef:
        """Post ``reply`` once, unpaced; returns the message reference.

        Raises:
            SendError: Slack refused or could not be reached.
            DirectMessagesClosed: The member's direct messages are closed.
        """
        is_dm = destination.user_id is not None
        channel = destination.channel_id or await self._open_dm(str(destination.user_id))
        if idempotency_key:
            retrying = not self._attempted.first_time(idempotency_key)
            if retrying or not is_dm:
                existing = await self._find_posted(channel, idempotency_key)
                if existing is not None:
                    log.info(
                        "post %s already in %s as %s; not re-sent",
                        idempotency_key,
                        channel,
                        existing,
                    )
                    return SentRef(channel, existing)
        message = render_message(reply)
        args: dict[str, Any] = {**message.as_args(), "unfurl_links": False, "unfurl_media": False}
        metadata = _metadata(idempotency_key, reply.metadata)
        if metadata is not None:
            args["metadata"] = metadata
        try:
            response = await self._client.chat_postMessage(channel=channel, **args)
        except SlackApiError as exc:
            raise self._send_error(exc, channel, is_dm) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendError(
                f"could not reach Slack: {type(exc).__name__}", code="connection"
            ) from exc
        posted = str(response.get("channel") or channel)
        if reply.image is not None:  # the card follows the text; its failure is only logged
            await FileSender(self._client).card_to_channel(posted, reply.image)
        return SentRef(posted, str(response.get("ts")))

    async def _open_dm(self, user_id: str) -> str:
        cached = self._dm_channels.get(user_id)
        if cached is not None:
            return cached
        try:
            response = await self._client.conversations_open(users=user_id)
        except SlackApiError as exc:
            raise self._send_error(exc, user_id, True) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendError(
                f"could not reach Slack: {type(exc).__name__}", code="connection"
            ) from exc
        channel = str((response.get("channel") or {}).get("id"))
        self._dm_channels.put(user_id, channel)
        return channel

    async def _find_posted(self, channel: str, key: str) -> str | None:
        """The ``ts`` of our message carrying ``key`` in recent history, if we can tell."""
        found = await find_by_metadata(
            self._client,
            channel,
            event_type=POST_EVENT_TYPE,
            field="key",
            value=key,
            oldest=time.time() - HISTORY_LOOKBACK_SECONDS,
            bot_id=self.bot_id,
        )
        return found.ts

    async def find_answer(self, channel: str, inbox_key: str, since: float) -> Found:
        """Our public answer to the stored command ``inbox_key`` in ``channel`` since ``since``.

        The answer carries :func:`bot.adapters.slack.respond.answer_metadata`; every page
        since the command arrived is read (up to :data:`ANSWER_PAGES`).
        """
        return await find_by_metadata(
            self._client,
            channel,
            event_type=ANSWER_EVENT_TYPE,
            field=ANSWER_FIELD,
            value=inbox_key,
            oldest=since,
            bot_id=self.bot_id,
            pages=ANSWER_PAGES,
        )

    def _send_error(self, exc: SlackApiError, where: str, is_dm: bool) -> SendError:
        status = int(getattr(exc.response, "status_code", 200) or 200)
        code = error_code(exc)
        if status == 429 or code == "ratelimited":
            metrics.RATE_LIMITED.labels(platform="slack").inc()
            wait = retry_after_seconds(getattr(exc.response, "headers", None)) or 1.0
            return SendError(f"Slack rate limit in {where}", code="ratelimited", retry_after=wait)
        if is_dm and code in DM_CLOSED_ERRORS:
            return DirectMessagesClosed(f"cannot message {where}: {code}", code=code)
        if status >= 500:
            return SendError(f"Slack answered HTTP {status}", code=f"http_{status}")
        permanent = code in PERMANENT_ERRORS
        return SendError(
            f"Slack refused the post to {where}: {code}", permanent=permanent, code=code
        )


@dataclass(frozen=True)
class Found:
    """What a history search for a message by its metadata found.

    Attributes:
        ts: The message's ``ts``, if found.
        complete: Whether the whole window was read, so that ``ts is None`` means absent
            (``False``: the history could not be read, or the page limit was reached).
    """

    ts: str | None
    complete: bool


async def find_by_metadata(
    client: AsyncWebClient,
    channel: str,
    *,
    event_type: str,
    field: str,
    value: str,
    oldest: float,
    bot_id: str | None,
    pages: int = 1,
) -> Found:
    """Our message in ``channel`` since ``oldest`` whose metadata has ``field == value``.

    Reads ``conversations.history`` newest first, up to ``pages`` pages of
    :data:`HISTORY_PAGE`. Used by the scheduled posts (one page) and by the inbox, to find
    an answer a crash left uncertain (as many pages as the channel got since the command).
    Never raises: a history that cannot be read (not a member, no scope, Slack down) is
    reported as ``Found(None, complete=False)``.
    """
    cursor: str | None = None
    for _ in range(pages):
        try:
            response = await client.conversations_history(
                channel=channel,
                include_all_metadata=True,
                limit=HISTORY_PAGE,
                oldest=f"{oldest:.6f}",
                cursor=cursor,
            )
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.info("cannot read the history of %s: %s", channel, error_code(exc))
            return Found(None, complete=False)
        for msg in response.get("messages") or []:
            meta = msg.get("metadata") or {}
            if meta.get("event_type") != event_type:
                continue
            if (meta.get("event_payload") or {}).get(field) != value:
                continue
            if bot_id is None or msg.get("bot_id") in (None, bot_id):
                return Found(str(msg["ts"]), complete=True)
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not response.get("has_more") or not cursor:
            return Found(None, complete=True)
    return Found(None, complete=False)


def _metadata(key: str | None, extra: dict[str, str] | None) -> dict[str, Any] | None:
    payload: dict[str, Any] = dict(extra or {})
    if key:
        payload["key"] = key
    if not payload:
        return None
    return {"event_type": POST_EVENT_TYPE, "event_payload": payload}


#: The old name of :class:`SlackPostSender`.
Poster = SlackPostSender
