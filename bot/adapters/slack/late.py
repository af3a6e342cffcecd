"""Finishing Slack commands a crash left in the inbox, and answering them late.

A stored command still ``pending`` is run as of when it was sent; one already ``done`` (or a
check-in ``recorded``) is only answered. The answer goes through the command's
``response_url`` while Slack keeps it (30 minutes), in the same place the member asked;
past that, or if it fails, as a direct message saying what was sent and what was recorded.

An ``uncertain`` entry (its process died between claiming the answer and marking it sent)
is looked for in the channel's history: a public answer carries the entry's key as message
metadata, so if it is there, nothing is sent. If it is not there (the answer never left,
or it was private, which no API can read back), or the history cannot be read, the stored
answer is sent once more, headed :data:`AGAIN` so that a repeat is harmless and plain.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.adapters.base import SendError
from bot.adapters.slack import translate
from bot.adapters.slack.delivery import Poster
from bot.adapters.slack.inbound import InboundWork
from bot.adapters.slack.intake import ACTION, COMMAND
from bot.core.clock import Clock
from bot.core.inbox import AGAIN, Inbox, InboxStatus, PendingEntry
from bot.core.models import Destination, Platform, Reply

log = logging.getLogger(__name__)

RESPONSE_URL_LIFETIME = timedelta(minutes=30)
LATE = "Before I restarted, you sent `{summary}` ({when} UTC). Here is what I recorded:\n\n"
RECORDED = "Your check-in was recorded. ✅"
# Slack's message ts and our clock may disagree a little: look this much further back.
CLOCK_MARGIN = 60.0


def when(instant: datetime) -> str:
    """``2026-03-02 08:00`` (UTC), for the late answer."""
    return instant.strftime("%Y-%m-%d %H:%M")


@dataclass
class LateAnswers:
    """The Slack adapter's :class:`~bot.core.inbox.Replayer`.

    Attributes:
        work: Runs commands and button presses (as the live path does).
        poster: Sends the direct message of a late answer.
        inbox: Where answers are marked.
        clock: The app's clock (the response_url's age).
    """

    work: InboundWork
    poster: Poster
    inbox: Inbox
    clock: Clock

    async def replay(self, pending: PendingEntry) -> None:
        """Run or answer one stored Slack command."""
        entry = pending.entry
        body = entry.payload
        fresh = self.clock.now() - entry.received_at < RESPONSE_URL_LIFETIME
        kind_who = translate.command_who if entry.kind == COMMAND else translate.action_who
        who = kind_who(body)

        async def deliver(reply: Reply, again: bool = False) -> None:
            if fresh:
                shown = replace(reply, text=AGAIN + reply.text) if again else reply
                sent = await self.work.sender.send(
                    shown,
                    response_url=body.get("response_url"),
                    channel_id=None,
                    user_id=who.user_id,
                    replace_original=reply.update_original and entry.kind == ACTION,
                    inbox_key=entry.key,
                )
                if sent:
                    return
            heading = LATE.format(summary=entry.summary, when=when(entry.received_at))
            note = Reply(text=heading + reply.plain_text(), ephemeral=True)
            try:
                await self.poster.send(
                    Destination(Platform.SLACK, who.team_id, user_id=who.user_id), note, None
                )
            except SendError as exc:
                log.warning("could not tell %s what was recorded: %s", who.user_id, exc)

        log.info("finishing stored Slack %s %s (%s)", entry.kind, entry.key, pending.status)
        if pending.status is InboxStatus.UNCERTAIN:
            channel = (
                body.get("channel_id") if entry.kind == COMMAND else translate.action_channel(body)
            )
            if channel:
                since = entry.received_at.timestamp() - CLOCK_MARGIN
                seen = await self.poster.find_answer(str(channel), entry.key, since)
                if seen.ts is not None:
                    log.info("the answer to %s is in %s (%s)", entry.key, channel, seen.ts)
                    self.inbox.answered(entry.key)
                    return
            if await self.inbox.answering(entry.key, uncertain=True):
                await deliver(Reply(text=pending.reply or RECORDED, ephemeral=True), again=True)
                self.inbox.answered(entry.key)
            return
        if pending.status is not InboxStatus.PENDING:
            if await self.inbox.answering(entry.key):
                await deliver(Reply(text=pending.reply or RECORDED, ephemeral=True))
                self.inbox.answered(entry.key)
            return
        if entry.kind == COMMAND:
            await self.work.command(
                body, inbox_key=entry.key, sent_at=entry.received_at, deliver=deliver
            )
            return
        found = translate.action_of(body)
        if found is None:
            self.inbox.answered(entry.key)
            return
        await self.work.action(
            body,
            found[0],
            found[1],
            inbox_key=entry.key,
            sent_at=entry.received_at,
            deliver=deliver,
        )
