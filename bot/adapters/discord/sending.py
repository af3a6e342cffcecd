"""Proactive posts over Discord's REST API: channels and direct messages, idempotent.

A post with an idempotency key carries a deterministic ``nonce`` (at most 25 characters)
for each message it needs; discord.py then also sends ``enforce_nonce: true``, so a retry
after an uncertain failure (a timeout, a crash between send and ledger update) returns the
message Discord already created instead of posting twice. Discord only remembers nonces for
a few minutes, which is why the posts ledger keeps its lease shorter than that.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import replace
from typing import Any

import aiohttp
import discord

from bot.adapters.base import DirectMessagesClosed, SendError
from bot.adapters.discord.render import render
from bot.adapters.discord.respond import message_kwargs, reply_files
from bot.adapters.discord.views import build_view
from bot.core.models import Destination, Reply, SentRef

log = logging.getLogger(__name__)

NONCE_MAX = 25
DM_CLOSED = 50007  # "Cannot send messages to this user"


def nonce_for(key: str, part: int = 0) -> str:
    """A deterministic nonce for part ``part`` of the post identified by ``key``."""
    material = key if part == 0 else f"{key}#{part}"
    return hashlib.blake2b(material.encode(), digest_size=12).hexdigest()[:NONCE_MAX]


def to_send_error(exc: BaseException) -> SendError:
    """Map a discord.py or network error to the adapter contract's :class:`SendError`."""
    if isinstance(exc, discord.RateLimited):
        return SendError("rate limited", code="429", retry_after=exc.retry_after)
    if isinstance(exc, discord.Forbidden):
        if exc.code == DM_CLOSED:
            return DirectMessagesClosed()
        return SendError(f"forbidden: {exc.text}", permanent=True, code=str(exc.code or 403))
    if isinstance(exc, discord.NotFound):
        return SendError(f"not found: {exc.text}", permanent=True, code=str(exc.code or 404))
    if isinstance(exc, discord.DiscordServerError):
        return SendError(f"Discord error {exc.status}", code=str(exc.status))
    if isinstance(exc, discord.HTTPException):
        # A 429 that reaches us here is Cloudflare's (no Via header): transient, not ours.
        transient = exc.status in (408, 429)
        return SendError(
            f"Discord refused the message: {exc.status} {exc.text}",
            permanent=not transient,
            code=str(exc.code or exc.status),
        )
    return SendError(f"network error: {exc!r}", code="network")


async def _target(client: discord.Client, destination: Destination) -> discord.abc.Messageable:
    if destination.channel_id is not None:
        return client.get_partial_messageable(
            int(destination.channel_id), guild_id=int(destination.space_id)
        )
    assert destination.user_id is not None
    return await client.create_dm(discord.Object(int(destination.user_id)))


async def send_reply(
    client: discord.Client,
    destination: Destination,
    reply: Reply,
    idempotency_key: str | None = None,
) -> SentRef:
    """Post ``reply`` (split into several messages if it must be) and return the first one.

    A post whose card Discord refuses (too large, a bad upload) goes out again as text:
    the same nonces keep the messages already sent from appearing twice.

    Raises:
        SendError: As :func:`_send_reply`.
    """
    try:
        return await _send_reply(client, destination, reply, idempotency_key)
    except SendError as error:
        # Missing access fails the text post too; it then raises the real error.
        if reply.image is None or error.retry_after is not None:
            raise
        if isinstance(error, DirectMessagesClosed):
            raise
        log.warning("card %s refused (%s); posting text", reply.image.filename, error.code)
    return await _send_reply(client, destination, replace(reply, image=None), idempotency_key)


async def _send_reply(
    client: discord.Client,
    destination: Destination,
    reply: Reply,
    idempotency_key: str | None = None,
) -> SentRef:
    """Post ``reply`` once.

    Raises:
        SendError: With ``permanent`` for missing access, ``retry_after`` for rate limits,
            or :class:`DirectMessagesClosed` when the user does not accept DMs (50007).
    """
    messages = render(reply)
    dm_space = destination.space_id if destination.user_id is not None else None
    view = build_view(reply.buttons, dm_space)
    first: discord.Message | None = None
    try:
        target = await _target(client, destination)
        for index, message in enumerate(messages):
            last = index == len(messages) - 1
            files = reply_files(reply) if last else None
            kwargs: dict[str, Any] = message_kwargs(
                message, last=last, view=view, files=files, image=reply.image
            )
            if idempotency_key is not None:
                kwargs["nonce"] = nonce_for(idempotency_key, index)
            sent = await target.send(**kwargs)
            first = first or sent
    except (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError) as exc:
        error = to_send_error(exc)
        log.warning(
            "send to %s failed (%s, permanent=%s): %s",
            destination,
            error.code,
            error.permanent,
            exc,
        )
        raise error from exc
    except asyncio.CancelledError:
        raise
    assert first is not None
    return SentRef(str(first.channel.id), str(first.id))
