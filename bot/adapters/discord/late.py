"""Finishing Discord interactions a crash left in the inbox, and answering them late.

A stored interaction still ``pending`` is run as of when it was sent; one already ``done``
(or a check-in ``recorded``) is only answered. The answer goes through the interaction's
follow-up webhook while its token is valid (15 minutes): the first follow-up resolves the
"thinking…" message the member was left with. Past that, or if the webhook refuses, it is
a direct message saying what was sent and what was recorded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

import discord

from bot.adapters.base import SendError
from bot.adapters.discord.intake import invocation_of
from bot.adapters.discord.render import render
from bot.adapters.discord.respond import message_kwargs, reply_files
from bot.adapters.discord.sending import send_reply
from bot.adapters.discord.views import build_view
from bot.core.clock import Clock
from bot.core.dispatcher import Dispatcher
from bot.core.inbox import Inbox, InboxStatus, PendingEntry
from bot.core.models import Destination, Platform, Reply

log = logging.getLogger(__name__)

# Discord keeps an interaction token 15 minutes; a minute less leaves time to send.
TOKEN_LIFETIME = timedelta(minutes=14)
LATE = "Before I restarted, you sent `{summary}` ({when} UTC). Here is what I recorded:\n\n"
RECORDED = "Your check-in was recorded. ✅"


@dataclass(frozen=True)
class _Responder:
    deliver: _Deliver

    async def send(self, reply: Reply) -> None:
        await self.deliver(reply)


class _Deliver:
    """Answers one stored interaction: follow-up webhook while fresh, else a DM."""

    def __init__(self, client: discord.Client, pending: PendingEntry, fresh: bool) -> None:
        self.client = client
        self.entry = pending.entry
        self.payload = pending.entry.payload
        self.fresh = fresh

    async def __call__(self, reply: Reply) -> None:
        if self.fresh:
            try:
                await self._followup(reply)
                return
            except discord.HTTPException as exc:
                log.warning("late follow-up for %s refused: %s", self.entry.key, exc)
        when = self.entry.received_at.strftime("%Y-%m-%d %H:%M")
        note = Reply(
            text=LATE.format(summary=self.entry.summary, when=when) + reply.plain_text(),
            ephemeral=True,
        )
        destination = Destination(
            Platform.DISCORD, str(self.payload["guild_id"]), user_id=str(self.payload["user_id"])
        )
        try:
            await send_reply(self.client, destination, note, f"late:{self.entry.key}")
        except SendError as exc:
            log.warning("could not tell %s what was recorded: %s", destination.user_id, exc)

    async def _followup(self, reply: Reply) -> None:
        webhook = discord.Webhook.from_state(
            {"id": int(self.payload["application_id"]), "type": 3, "token": self.payload["token"]},
            self.client._connection,
        )
        deferral = self.payload["deferral"]
        private = deferral == "ephemeral" or reply.ephemeral
        if reply.ephemeral and deferral == "public":
            # The first follow-up would resolve the public "thinking" message with its
            # flags; deleting it first keeps a private answer private (as the live path).
            route = discord.http.Route(
                "DELETE",
                "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
                webhook_id=int(self.payload["application_id"]),
                webhook_token=str(self.payload["token"]),
            )
            await self.client.http.request(route)
        messages = render(reply)
        view = build_view(reply.buttons, None)
        files = reply_files(reply)
        last = len(messages) - 1
        for index, message in enumerate(messages):
            kwargs = message_kwargs(
                message, last=index == last, view=view, files=files, image=reply.image
            )
            await webhook.send(ephemeral=private, wait=True, **kwargs)


@dataclass
class LateAnswers:
    """The Discord adapter's :class:`~bot.core.inbox.Replayer`.

    Attributes:
        dispatcher: Runs stored invocations.
        inbox: Where answers are marked.
        clock: The app's clock (the token's age).
    """

    dispatcher: Dispatcher
    inbox: Inbox
    clock: Clock

    async def replay(self, client: discord.Client, pending: PendingEntry) -> None:
        """Run or answer one stored interaction."""
        entry = pending.entry
        fresh = self.clock.now() - entry.received_at < TOKEN_LIFETIME
        deliver = _Deliver(client, pending, fresh)
        log.info("finishing stored Discord %s %s (%s)", entry.kind, entry.key, pending.status)
        if pending.status is not InboxStatus.PENDING:
            if await self.inbox.answering(entry.key):
                await deliver(Reply(text=pending.reply or RECORDED, ephemeral=True))
                self.inbox.answered(entry.key)
            return
        invocation = replace(invocation_of(entry.payload, entry.key), sent_at=entry.received_at)
        await self.dispatcher.handle(invocation, _Responder(deliver))
