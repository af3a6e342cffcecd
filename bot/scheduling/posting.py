"""Posting exactly once: claim, prepare, send, record — and what to do when that breaks.

The flow for one post is the same for the timer, the start-up catch-up, ``/admin post``
and the lease sweeper:

1. **claim** the ledger row (or take over one whose lease ran out); only the claimant goes on;
2. **prepare** the message in its own transaction (the rotation draw is recorded there);
3. **send** through :class:`~bot.scheduling.delivery.Delivery` (pacing, retries), marking
   the row ``sending`` before every attempt so a takeover knows the post *may* exist;
4. **record** the outcome, fenced by the claim, so a stale owner cannot overwrite it.

A takeover of a row that may already be on the platform re-sends with the same
idempotency key only where the platform can recognise it: Discord's ``enforce_nonce``
remembers nonces for a few minutes, Slack's adapter finds channel posts by their metadata
in the channel history. Otherwise the row ends ``uncertain`` (shown in ``/admin
schedule``, the day excused) rather than risking a duplicate.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import metrics
from bot.content.store import ContentStore
from bot.core.clock import Clock
from bot.core.errors import UserError
from bot.core.models import Destination, Platform, Reply, SentRef
from bot.core.ports import DirectMessagesClosed
from bot.scheduling import ledger, outages
from bot.scheduling.delivery import Delivery, DeliveryFailed, LostClaim
from bot.scheduling.model import PostKey, PostKind, PostStatus

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


PrepareFn = Callable[[AsyncSession], Awaitable[Prepared]]


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

    sessions: async_sessionmaker[AsyncSession]
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


class Poster:
    """Claims, sends and records posts (see the module docstring)."""

    def __init__(self, deps: PostingDeps) -> None:
        self.deps = deps

    async def claim_and_deliver(
        self,
        key: PostKey,
        prepare: PrepareFn,
        *,
        scheduled_for: datetime,
        deadline: datetime | None,
        excuse: Excuse | None,
    ) -> Outcome:
        """Claim ``key`` and, if this instance wins, deliver it."""
        deps = self.deps
        async with deps.sessions() as session, session.begin():
            claim = await ledger.claim(
                session,
                key,
                owner=deps.owner,
                now=deps.clock.now(),
                lease=deps.lease,
                scheduled_for=scheduled_for,
            )
        if claim is None:
            return Outcome.ALREADY
        return await self.deliver(claim, prepare, deadline=deadline, excuse=excuse)

    async def deliver(
        self,
        claim: ledger.Claim,
        prepare: PrepareFn,
        *,
        deadline: datetime | None,
        excuse: Excuse | None,
    ) -> Outcome:
        """Prepare, send and record a claimed post."""
        deps = self.deps
        try:
            async with deps.sessions() as session, session.begin():
                prepared = await prepare(session)
        except (SkipPost, UserError) as exc:
            return await self._finish(claim, PostStatus.SKIPPED, str(exc), None)
        except Exception:
            log.exception("could not prepare %s", claim.key.describe())
            return await self._finish(
                claim, PostStatus.FAILED, "could not prepare the post (see the logs)", None
            )
        now = deps.clock.now()
        if deadline is not None and now > deadline:
            status = PostStatus.UNCERTAIN if claim.maybe_sent_at else PostStatus.MISSED
            return await self._finish(
                claim, status, "not sent: the catch-up window had closed", excuse
            )
        if claim.maybe_sent_at is not None and not resend_is_safe(
            prepared.destination, claim.maybe_sent_at, now
        ):
            reason = (
                "the bot stopped while sending and "
                f"{prepared.destination.platform.value} cannot confirm whether it arrived; "
                "not re-sent to avoid a duplicate"
            )
            return await self._finish(claim, PostStatus.UNCERTAIN, reason, excuse)
        try:
            try:
                ref = await self._send(claim, prepared, prepared.destination)
            except DirectMessagesClosed:
                if prepared.fallback is None:
                    return await self._finish(
                        claim, PostStatus.FAILED, "direct messages closed, no channel set", None
                    )
                prepared = prepared.fallback
                ref = await self._send(claim, prepared, prepared.destination, suffix="c")
        except LostClaim:
            log.info("%s was taken over by another instance", claim.key.describe())
            return Outcome.LOST
        except DirectMessagesClosed:
            return await self._finish(claim, PostStatus.FAILED, "direct messages closed", None)
        except DeliveryFailed as exc:
            return await self._failed(claim, prepared, exc, deadline, excuse)
        async with deps.sessions() as session, session.begin():
            now = deps.clock.now()
            recorded = await ledger.mark_sent(session, claim, now=now, message_ref=ref.message_id)
            if recorded and prepared.unblock is not None:
                await outages.clear_blocked(session, *prepared.unblock, now)
        if not recorded:
            # Another instance took over while we were sending; it re-sends with the same
            # idempotency key, so the platform keeps one message.
            log.warning("%s sent but the claim was lost meanwhile", claim.key.describe())
            return Outcome.LOST
        kind = claim.key.kind.value
        metrics.POSTS.labels(kind=kind, result="sent").inc()
        if claim.scheduled_for is not None and now - claim.scheduled_for > timedelta(minutes=5):
            metrics.POSTS.labels(kind=kind, result="late").inc()
        return Outcome.SENT

    async def _send(
        self,
        claim: ledger.Claim,
        prepared: Prepared,
        destination: Destination,
        *,
        suffix: str = "",
    ) -> SentRef:
        deps = self.deps

        async def before_attempt(_attempt: int) -> bool:
            async with deps.sessions() as session, session.begin():
                return await ledger.begin_attempt(
                    session,
                    claim,
                    now=deps.clock.now(),
                    lease=deps.lease,
                    content_id=prepared.content_id,
                )

        return await deps.delivery.send(
            destination,
            prepared.reply,
            key=claim.key.idempotency_key + suffix,
            before_attempt=before_attempt,
        )

    async def _failed(
        self,
        claim: ledger.Claim,
        prepared: Prepared,
        exc: DeliveryFailed,
        deadline: datetime | None,
        excuse: Excuse | None,
    ) -> Outcome:
        deps = self.deps
        now = deps.clock.now()
        error = f"{exc.code}: {exc}" if exc.code else str(exc)
        if exc.permanent:
            channel = prepared.destination.channel_id
            async with deps.sessions() as session, session.begin():
                await ledger.finish(session, claim, PostStatus.FAILED, now=now, error=error)
                if channel is not None:
                    await outages.mark_blocked(
                        session,
                        claim.key.space_id,
                        channel,
                        code=exc.code,
                        error=str(exc),
                        now=now,
                    )
            log.warning("%s failed for good: %s", claim.key.describe(), error)
            metrics.POSTS.labels(kind=claim.key.kind.value, result="failed").inc()
            return Outcome.FAILED
        delay = exc.retry_after or min(300.0, 30.0 * 2 ** (claim.attempt - 1))
        retry_at = now + timedelta(seconds=delay)
        out_of_time = retry_at > deadline if deadline is not None else claim.attempt >= MAX_ROUNDS
        if out_of_time:
            return await self._finish(
                claim, PostStatus.FAILED, f"the platform kept failing: {error}", excuse
            )
        async with deps.sessions() as session, session.begin():
            await ledger.mark_retry(
                session,
                claim,
                now=now,
                retry_at=retry_at,
                error=error,
                maybe_sent=exc.maybe_delivered or claim.maybe_sent_at is not None,
            )
        log.info("%s will be retried at %s: %s", claim.key.describe(), retry_at, error)
        return Outcome.RETRY

    async def _finish(
        self, claim: ledger.Claim, status: PostStatus, error: str | None, excuse: Excuse | None
    ) -> Outcome:
        deps = self.deps
        excused = False
        async with deps.sessions() as session, session.begin():
            now = deps.clock.now()
            done = await ledger.finish(session, claim, status, now=now, error=error)
            if done and excuse is not None:
                excused = await outages.excuse_day(
                    session, excuse.group_id, excuse.day, f"no daily post: {error}", now
                )
        if excused and excuse is not None:
            await deps.notify_day_excused(excuse.group_id)
        if not done:
            return Outcome.LOST
        if status is not PostStatus.SKIPPED:
            log.warning("%s ended %s: %s", claim.key.describe(), status.value, error)
        metrics.POSTS.labels(kind=claim.key.kind.value, result=status.value).inc()
        return Outcome(status.value)


def excuse_for(kind: PostKind, group_id: int, day: date) -> Excuse | None:
    """Only a missing daily challenge forgives the day."""
    return Excuse(group_id, day) if kind is PostKind.CHALLENGE else None
