"""The vocabulary of scheduled posting: post kinds, ledger statuses and post keys.

A *post* is one message the bot sends on its own: the daily challenge, a tip, the weekly
recap, or a member's streak reminder. Each is identified by a :class:`PostKey` (space,
channel, kind, local date), which is also the post ledger's unique key and the source of
the idempotency key adapters turn into a Discord nonce or Slack metadata.

The vocabulary lives in the core because the ledger's storage (``bot/db/repositories``)
and the scheduler (``bot/scheduling``) both speak it; ``bot.scheduling.model`` re-exports it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PostKind(StrEnum):
    """What a scheduled post is."""

    CHALLENGE = "challenge"
    TIP = "tip"
    RECAP = "recap"
    REMINDER = "reminder"
    PROJECT = "project"  # a finished project (bot/scheduling/announcements.py)
    CELEBRATION = "celebration"  # a batch of earned milestones (bot/features/recognition)


#: The kinds posted to a channel on a fixed local schedule (reminders follow each member).
CHANNEL_KINDS: tuple[PostKind, ...] = (PostKind.CHALLENGE, PostKind.TIP, PostKind.RECAP)


class PostStatus(StrEnum):
    """Where a ledger row is in its life.

    ``claimed`` → ``sending`` → ``sent`` is the happy path. ``claimed``, ``sending`` and
    ``retry`` rows carry a lease; when it runs out another instance may take the row over.
    The others are final.
    """

    CLAIMED = "claimed"  # an instance holds the lease and prepares the message
    SENDING = "sending"  # handed to the platform; the outcome is not recorded yet
    RETRY = "retry"  # a transient failure; tried again once the lease runs out
    SENT = "sent"
    FAILED = "failed"  # no access to the channel, or the platform kept failing
    MISSED = "missed"  # never sent: the bot was not running until the catch-up window closed
    SKIPPED = "skipped"  # deliberately not sent (nothing to post, member already checked in)
    UNCERTAIN = "uncertain"  # the bot stopped mid-send and the platform cannot confirm


#: Statuses whose lease may be taken over when it has run out.
IN_FLIGHT: frozenset[PostStatus] = frozenset(
    {PostStatus.CLAIMED, PostStatus.SENDING, PostStatus.RETRY}
)


def reminder_channel(member_id: int) -> str:
    """The ledger "channel" of a member's reminders (they follow the member, not a channel)."""
    return f"member:{member_id}"


def celebration_channel(first_award_id: int) -> str:
    """The ledger "channel" of a celebration: its first award, unique per member+milestone.

    The destination (a channel or the member's direct messages) is worked out when the
    post is prepared; the key only has to be unique and the same on every retry.
    """
    return f"award:{first_award_id}"


def reminder_member(channel_id: str) -> int | None:
    """The member id of a reminder ledger channel, or ``None`` for a real channel."""
    prefix, _, rest = channel_id.partition(":")
    return int(rest) if prefix == "member" and rest.isdigit() else None


@dataclass(frozen=True)
class PostKey:
    """The identity of one post: at most one per (space, channel, kind, local date).

    Attributes:
        space_id: The ``spaces`` row the post goes to.
        channel_id: The platform channel id (``member:<id>`` for reminders).
        kind: What is posted.
        local_date: The group's local date the post belongs to.
    """

    space_id: int
    channel_id: str
    kind: PostKind
    local_date: date

    @property
    def idempotency_key(self) -> str:
        """A stable key for this post, the same on every retry and every instance.

        Adapters derive the Discord nonce (at most 25 characters) and the Slack metadata
        from it; it is short and hashed so channel ids of any length fit.
        """
        raw = f"{self.space_id}|{self.channel_id}|{self.kind.value}|{self.local_date.isoformat()}"
        digest = hashlib.sha256(raw.encode()).hexdigest()[:15]
        return f"sb{self.kind.value[:2]}{self.local_date:%y%m%d}{digest}"

    def describe(self) -> str:
        """A short human description for logs."""
        return f"{self.kind.value} {self.local_date} space={self.space_id} ch={self.channel_id}"
