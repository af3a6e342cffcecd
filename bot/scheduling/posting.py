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
from datetime import datetime, timedelta

from bot import metrics
from bot.core.errors import UserError
from bot.core.models import Destination, SentRef
from bot.core.ports import DirectMessagesClosed, SendError
from bot.db.repositories import outages
from bot.db.repositories import posts_ledger as ledger
from bot.scheduling.delivery import LostClaim
from bot.scheduling.model import PostKey, PostStatus
from bot.scheduling.post_parts import (
    DISCORD_NONCE_WINDOW,
    MAX_ROUNDS,
    SLACK_HISTORY_WINDOW,
    Excuse,
    Outcome,
    PostingDeps,
    Prepared,
    PrepareFn,
    SkipPost,
    excuse_for,
    resend_is_safe,
)

log = logging.getLogger(__name__)

__all__ = [
    "DISCORD_NONCE_WINDOW",
    "MAX_ROUNDS",
    "SLACK_HISTORY_WINDOW",
    "Excuse",
    "Outcome",
    "PostRunner",
    "Poster",
    "PostingDeps",
    "PrepareFn",
    "Prepared",
    "SkipPost",
    "excuse_for",
    "resend_is_safe",
]


class PostRunner:
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
        except SendError as exc:
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
        exc: SendError,
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


#: The old name of :class:`PostRunner` (there was a second ``Poster`` in the Slack adapter).
Poster = PostRunner
