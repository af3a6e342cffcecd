"""The parts of a post: outcomes, a prepared message, what posting needs, when resending is safe.

:mod:`bot.scheduling.posting` runs posts with these; jobs, reminders and the chaos
benchmark build them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.content.store import ContentStore
from bot.core.clock import Clock
from bot.core.models import Destination, Platform, Reply
from bot.db.sessions import Session, SessionFactory
from bot.scheduling.delivery import Delivery
from bot.scheduling.model import PostKind

log = logging.getLogger(__name__)

#: How long a Discord nonce is remembered (Discord: "the past few minutes"); a takeover
#: later than this cannot count on Discord to drop a duplicate.
DISCORD_NONCE_WINDOW = timedelta(minutes=2)
#: Slack's adapter finds an earlier channel post by its metadata this far back.
SLACK_HISTORY_WINDOW = timedelta(days=3)
#: Job runs (takeovers included) before a post without a deadline (a moderator's
#: ``/admin post``) that keeps failing transiently is given up; scheduled posts keep
#: trying until their catch-up window closes.
MAX_ROUNDS = 6


class Outcome(StrEnum):
    """What one attempt to post ended with, from this instance's point of view."""

    SENT = "sent"
    ALREADY = "already"  # another instance or an earlier run has (or had) the row
    RETRY = "retry"
    FAILED = "failed"
    MISSED = "missed"
    SKIPPED = "skipped"
    UNCERTAIN = "uncertain"
    LOST = "lost"  # taken over by another instance mid-way


class SkipPost(Exception):
    """Raised by a prepare step: there is nothing to send (and that is fine)."""


@dataclass(frozen=True)
class Prepared:
    """A message ready to send.

    Attributes:
        destination: Where it goes.
        reply: What it says.
        content_id: The content item shown, recorded on the ledger row.
        fallback: Where to go instead when the destination is a member's closed DMs.
        unblock: ``(space_id, channel_id)`` of a channel marked blocked, cleared on success.
    """

    destination: Destination
    reply: Reply
    content_id: str | None = None
    fallback: Prepared | None = None
    unblock: tuple[int, str] | None = None


PrepareFn = Callable[[Session], Awaitable[Prepared]]


@dataclass(frozen=True)
class Excuse:
    """Which group day to forgive if this post cannot be made (daily challenges only)."""

    group_id: int
    day: date


@dataclass
class PostingDeps:
    """What posting needs from the app; the chaos benchmark builds it without an app.

    Attributes:
        sessions: Database sessions.
        clock: The injected clock.
        content: The content store.
        delivery: Sending with pacing and retries.
        owner: This instance's name in the ledger.
        lease: How long a claim is exclusive (well under Discord's nonce window).
        platforms: The platforms this process can send to right now.
        day_excused: Called with a group id after a day of that group was excused and
            committed, so streak figures (boards, recaps) are recomputed at once.
    """

    sessions: SessionFactory
    clock: Clock
    content: ContentStore
    delivery: Delivery
    owner: str
    lease: timedelta = timedelta(seconds=60)
    platforms: Callable[[], Collection[Platform]] = field(default=lambda: set(Platform))
    day_excused: Callable[[int], Awaitable[object]] | None = None

    async def notify_day_excused(self, group_id: int) -> None:
        """Run the ``day_excused`` hook; a failure is logged, never raised into posting."""
        if self.day_excused is None:
            return
        try:
            await self.day_excused(group_id)
        except Exception:
            log.exception("recomputing streaks of group %s after an excused day failed", group_id)


def resend_is_safe(destination: Destination, maybe_sent_at: datetime, now: datetime) -> bool:
    """Whether re-sending a post that may exist cannot create a visible duplicate."""
    age = now - maybe_sent_at
    if destination.platform is Platform.DISCORD:
        return age < DISCORD_NONCE_WINDOW
    if destination.platform is Platform.SLACK and destination.channel_id is not None:
        return age < SLACK_HISTORY_WINDOW
    return False


def excuse_for(kind: PostKind, group_id: int, day: date) -> Excuse | None:
    """Only a missing daily challenge forgives the day."""
    return Excuse(group_id, day) if kind is PostKind.CHALLENGE else None
