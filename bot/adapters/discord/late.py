"""Finishing Discord interactions a crash left in the inbox, and answering them late.

A stored interaction still ``pending`` is run as of when it was sent; one already ``done``
(or a check-in ``recorded``) is only answered. The answer goes through the interaction's
follow-up webhook while its token is valid (15 minutes): the first follow-up resolves the
"thinking…" message the member was left with. Past that, or if the webhook refuses, it is
a direct message saying what was sent and what was recorded.

An ``uncertain`` entry (its process died between claiming the answer and marking it sent)
is settled by reading the interaction's original response back: a slash command's answer
resolves its deferred "thinking…" message, so while that message still has the LOADING
flag (1 << 7) nothing arrived and the answer is sent; once resolved, it arrived and nothing
is sent. When the original is gone (a public command's private answer deletes it first and
follows up privately) or is a button's message, nothing can tell, and the stored answer is
sent once more headed :data:`AGAIN`; past the token's life, the direct message says it all.
"""

from __future__ import annotations

import logging
from contextlib import suppress
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
from bot.core.inbox import AGAIN, Inbox, InboxStatus, PendingEntry
from bot.core.models import Destination, Platform, Reply

log = logging.getLogger(__name__)

# Discord keeps an interaction token 15 minutes; a minute less leaves time to send.
TOKEN_LIFETIME = timedelta(minutes=14)
LATE = "Before I restarted, you sent `{summary}` ({when} UTC). Here is what I recorded:\n\n"
RECORDED = "Your check-in was recorded. ✅"
FLAG_LOADING = 1 << 7


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

    async def original(self) -> dict[str, object] | None:
        """The interaction's original response, or ``None`` when it is gone or unreadable."""
        route = discord.http.Route(
            "GET",
            "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
            webhook_id=int(self.payload["application_id"]),
            webhook_token=str(self.payload["token"]),
        )
        try:
            found = await self.client.http.request(route)
        except discord.HTTPException as exc:
            log.info("cannot read the original response of %s: %s", self.entry.key, exc)
            return None
        return found if isinstance(found, dict) else None

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
            with suppress(discord.NotFound):  # already deleted by the run a crash stopped
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
        if pending.status is InboxStatus.UNCERTAIN:
            await self._settle(deliver, pending)
            return
        if pending.status is not InboxStatus.PENDING:
            if await self.inbox.answering(entry.key):
                await deliver(Reply(text=pending.reply or RECORDED, ephemeral=True))
                self.inbox.answered(entry.key)
            return
        invocation = replace(invocation_of(entry.payload, entry.key), sent_at=entry.received_at)
        await self.dispatcher.handle(invocation, _Responder(deliver))

    async def _settle(self, deliver: _Deliver, pending: PendingEntry) -> None:
        """Send an uncertain entry's answer only if the original response says it is missing."""
        entry = pending.entry
        again = True
        # A command's deferral made a "thinking…" original; a button's is the clicked message.
        if deliver.fresh and entry.payload.get("deferral") in ("public", "ephemeral"):
            original = await deliver.original()
            if original is not None and not int(str(original.get("flags") or 0)) & FLAG_LOADING:
                log.info("the answer to %s resolved its original response", entry.key)
                self.inbox.answered(entry.key)
                return
            # Still "thinking…": certainly not answered, so no notice is needed.
            again = original is None
        if await self.inbox.answering(entry.key, uncertain=True):
            text = pending.reply or RECORDED
            if again and deliver.fresh:
                text = AGAIN + text
            await deliver(Reply(text=text, ephemeral=True))
            self.inbox.answered(entry.key)
