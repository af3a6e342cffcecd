"""Files: moderators' CSV exports to the asker's DM, picture cards into the channel.

A Slack file shared in a channel is visible to everyone in it, and there are no ephemeral files,
so an export is uploaded (``files.uploadV2``: get an upload URL, upload, complete) into the DM
between the bot and the person who asked. The reply in the channel says where the file went.
If the upload fails, the reply falls back to showing the start of the file inline.

A card (``Reply.image``) of a public reply or post is uploaded the same way into the
channel, with its alt text as ``alt_txt``; a private reply cannot carry a file on Slack, so
it stays text. A failed card upload is logged and the text reply stands alone.
"""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.errors import error_code
from bot.core.models import FileAttachment, ImageAttachment

log = logging.getLogger(__name__)


class FileSender:
    """Uploads files into a user's DM with the bot.

    Args:
        client: Web API client with the bot token (scopes ``files:write``, ``im:write``).
    """

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def to_dm(self, user_id: str, attachment: FileAttachment) -> bool:
        """Upload ``attachment`` into ``user_id``'s DM; ``False`` (logged) if it failed."""
        try:
            opened = await self._client.conversations_open(users=user_id)
            channel = str((opened.get("channel") or {}).get("id"))
            await self._client.files_upload_v2(
                channel=channel,
                content=attachment.content,
                filename=attachment.filename,
                title=attachment.filename,
            )
        except (SlackApiError, SlackRequestError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning(
                "could not send %s to %s: %s", attachment.filename, user_id, error_code(exc)
            )
            return False
        return True

    async def card_to_channel(self, channel_id: str, image: ImageAttachment) -> bool:
        """Upload a card into ``channel_id``; ``False`` (logged) if it failed."""
        try:
            await self._client.files_upload_v2(
                channel=channel_id,
                content=image.content,
                filename=image.filename,
                title=image.alt_text[:200],
                alt_txt=image.alt_text[:1000],
            )
        except (SlackApiError, SlackRequestError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning(
                "could not upload card %s to %s: %s", image.filename, channel_id, error_code(exc)
            )
            return False
        return True
