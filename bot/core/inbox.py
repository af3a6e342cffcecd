"""The durable inbox: the port adapters store each command in before they acknowledge it.

Slack never resends a slash command that got its HTTP 200, and a deferred Discord interaction
is never delivered again. So an adapter first hands the command to :class:`Inbox` (which
commits it, group-committed with everything else arriving at the same moment), then acks,
then runs it. The dispatcher marks the entry ``done`` in the same transaction as the
command's own effects, and stores the reply's text with it; the adapter marks it
``answered`` once the reply is out. An entry left ``pending``, ``recorded`` or ``done`` by a
crash is picked up at start-up (and by a periodic sweep) and finished by the adapter that
took it (:class:`Replayer`): run it, or answer with what was already recorded.

Exactly once: the transition out of ``pending`` is a conditional update, so only one run's
effects ever commit (a second run finds the entry taken and rolls back). The idempotency key
comes from the platform's own ids, so a redelivered command finds its key already stored
and is not run again.

Answers: before a reply is sent, the entry is moved to ``answering`` (a committed,
group-committed claim); ``answered`` follows once it is out. A crash between the two leaves
``answering``: the answer may or may not have reached the member. Recovery makes it
``uncertain`` and hands it to its adapter, which reads back what the platform shows (a
Discord command's original response still "thinking…" or resolved; a Slack public answer's
metadata in the channel history): exact where that tells, otherwise the answer is sent once
more with a notice saying it may be a repeat (Slack ephemeral answers, which nothing can
read back). See docs/inbox.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from bot.core.models import Platform

#: Heads an answer re-sent after a crash when nothing could show whether the first arrived,
#: so that a member who got both sees at once it is the same answer (both platforms).
AGAIN = "In case this did not reach you before I restarted:\n"


class InboxStatus(StrEnum):
    """Where an entry is in its life."""

    PENDING = "pending"
    """Stored and acknowledged; its effects are not committed yet."""
    RECORDED = "recorded"
    """A check-in's effects are committed (by the check-in writer); the reply is not stored."""
    DONE = "done"
    """Processed: effects committed, the reply's text stored; the answer is not out yet."""
    ANSWERING = "answering"
    """The answer is being sent: a crash now leaves it unknown whether it went out."""
    UNCERTAIN = "uncertain"
    """Found ``answering`` after a crash: its adapter checks whether the answer arrived."""
    ANSWERED = "answered"
    """The answer was sent (kept a while so a redelivery is still recognised)."""


class InboxUnavailable(RuntimeError):
    """The inbox could not store a command (the database is unreachable or full)."""


@dataclass(frozen=True)
class InboxEntry:
    """One acknowledged command, as the adapter will need it to finish the work later.

    Attributes:
        key: Idempotency key from the platform's ids (Slack trigger id, Discord
            interaction id); a second entry with the same key is a redelivery.
        platform: Which adapter took it (and replays it).
        kind: What it is, for the adapter (``"command"``, ``"action"``).
        payload: JSON-serialisable data the adapter needs to run and answer it.
        summary: What the member sent, in a few words (``/done built the login``), for
            the message that answers it after a restart.
        received_at: When it arrived (the injected clock): replays run "as of" then, so a
            check-in sent before midnight counts for that day.
    """

    key: str
    platform: Platform
    kind: str
    payload: dict[str, Any]
    summary: str
    received_at: datetime


@dataclass(frozen=True)
class PendingEntry:
    """An unfinished entry claimed for recovery.

    Attributes:
        entry: The stored command.
        status: ``pending``, ``recorded`` or ``done`` (to finish), or ``uncertain`` (an
            entry found ``answering``: answered only if the platform shows it did not arrive,
            or, where nothing can show it, once more with a notice).
        reply: The stored reply text (``done`` only).
        attempts: How many recoveries claimed it (this one included).
    """

    entry: InboxEntry
    status: InboxStatus
    reply: str | None
    attempts: int


class Inbox(Protocol):
    """Durable storage of acknowledged commands (implemented in :mod:`bot.db.inbox_store`)."""

    async def accept(self, entry: InboxEntry) -> bool:
        """Commit ``entry``; ``False`` when its key is already stored (a redelivery).

        Raises:
            InboxUnavailable: It could not be stored; the adapter must not claim success.
        """
        ...

    async def answering(self, key: str, *, uncertain: bool = False) -> bool:
        """Claim the answer of ``key`` before sending it (committed before it returns).

        Args:
            key: The entry.
            uncertain: The caller is the recovery holding ``key`` as ``uncertain`` and has
                found that its answer must be sent (again): an uncertain entry may be claimed.

        Returns:
            ``False`` when the entry is already answered, being answered, or uncertain
            (another run got there first): send nothing. ``True`` otherwise, including when
            the claim could not be stored (then a crash may repeat the answer).
        """
        ...

    def answered(self, key: str) -> None:
        """Note that the answer to ``key`` went out (stored with the next batch)."""
        ...

    def release(self, key: str) -> None:
        """Give up working on ``key`` here for now: a sweep retries it once its lease ends."""
        ...

    async def claim_due(self, now: datetime, limit: int) -> list[PendingEntry]:
        """Claim unfinished entries nobody is working on (lease expired) for recovery."""
        ...

    async def prune(self) -> int:
        """Delete answered entries old enough that no redelivery can come; returns how many."""
        ...


@runtime_checkable
class Replayer(Protocol):
    """What an adapter implements to finish its entries after a restart."""

    async def replay(self, pending: PendingEntry) -> None:
        """Run or answer ``pending``, then mark it answered; never raises for one entry."""
        ...
