"""The channel posting jobs: daily challenge, tip and weekly recap for one group.

A job never trusts the moment it was woken: it asks the planner which occurrences are due
now and the ledger which of them already have a row. The latest due occurrence is posted
if it is still inside the group's catch-up window; every older one without a row is
recorded as ``missed`` (never posted late, so a restart after an outage does not flood a
channel with old days), and a missed daily challenge excuses that day for streaks.
The timer, the start-up catch-up and the periodic safety pass all run this same code.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from bot.core.models import Platform
from bot.core.ports import SendError
from bot.db.repositories import outages
from bot.db.repositories import posts_history as history
from bot.db.repositories import posts_ledger as ledger
from bot.db.repositories import schedule as schedule_repo
from bot.db.sessions import Session
from bot.scheduling.config import GroupSchedule, Target
from bot.scheduling.model import PostKey, PostKind, PostStatus
from bot.scheduling.planner import Occurrence, PostPlan, occurrences_between
from bot.scheduling.posting import (
    Outcome,
    PostRunner,
    Prepared,
    PrepareFn,
    excuse_for,
)
from bot.scheduling.posts import channel_post
from bot.streaks.localday import local_date

log = logging.getLogger(__name__)

#: How far back a job looks for days to mark as missed (an outage longer than this
#: leaves the older days unmarked).
LOOKBACK_DAYS = 31


class ChannelJobs:
    """Runs the channel post kinds of a group through a :class:`PostRunner`."""

    def __init__(self, poster: PostRunner) -> None:
        self.poster = poster
        self.deps = poster.deps

    async def run_kind(self, schedule: GroupSchedule, kind: PostKind) -> list[Outcome]:
        """Post (or record as missed) whatever of ``kind`` is due now in every channel.

        While the group is paused, due occurrences are recorded as ``skipped``, so lifting
        the pause (however it is done) never mistakes the paused days for an outage.
        """
        if schedule.since is None:
            return []
        plan = schedule.plans[kind]
        outcomes: list[Outcome] = []
        for target in schedule.targets(kind, self.deps.platforms()):
            try:
                outcomes += await self._run_target(schedule, plan, target)
            except Exception:
                # One channel's trouble must not stop the other channels and groups.
                log.exception("%s job failed for space %s", kind.value, target.space_id)
        return outcomes

    async def _run_target(
        self, schedule: GroupSchedule, plan: PostPlan, target: Target
    ) -> list[Outcome]:
        now = self.deps.clock.now()
        since = schedule.since
        assert since is not None
        today = now.astimezone(schedule.tz).date()
        first = max(since.astimezone(schedule.tz).date(), today - timedelta(days=LOOKBACK_DAYS))
        due = [o for o in occurrences_between(plan, first, today) if since <= o.fire_at <= now]
        if not due:
            return []
        async with self.deps.sessions() as session:
            have = await history.dates_with_rows(
                session, target.space_id, target.channel_id, plan.kind, first
            )
        outcomes: list[Outcome] = []
        latest = due[-1]
        for occurrence in due:
            if occurrence.day in have:
                continue
            if schedule.paused:
                outcomes.append(await self._record_skipped(target, occurrence, now))
            elif occurrence is latest and now - occurrence.fire_at <= schedule.catchup:
                outcomes.append(await self.post_occurrence(schedule, target, occurrence))
            else:
                outcomes.append(await self._record_missed(schedule, target, occurrence, now))
        return outcomes

    async def post_occurrence(
        self, schedule: GroupSchedule, target: Target, occurrence: Occurrence
    ) -> Outcome:
        """Claim and send one scheduled occurrence in one channel."""
        key = PostKey(target.space_id, target.channel_id, occurrence.kind, occurrence.day)
        day = group_day(schedule, occurrence.fire_at)
        return await self.poster.claim_and_deliver(
            key,
            self.prepare(schedule, target, key, day),
            scheduled_for=occurrence.fire_at,
            deadline=occurrence.fire_at + schedule.catchup,
            excuse=excuse_for(occurrence.kind, schedule.group_id, day),
        )

    async def _record_missed(
        self, schedule: GroupSchedule, target: Target, occurrence: Occurrence, now: datetime
    ) -> Outcome:
        key = PostKey(target.space_id, target.channel_id, occurrence.kind, occurrence.day)
        local = occurrence.fire_at.astimezone(schedule.tz)
        hours = int(schedule.catchup.total_seconds() // 3600)
        reason = (
            f"not posted: the bot was not running from {local:%a %d %b %H:%M} until the "
            f"{hours} h catch-up window closed"
        )
        day = group_day(schedule, occurrence.fire_at)
        excuse = excuse_for(occurrence.kind, schedule.group_id, day)
        excused = False
        async with self.deps.sessions() as session, session.begin():
            inserted = await ledger.record_final(
                session,
                key,
                PostStatus.MISSED,
                now=now,
                scheduled_for=occurrence.fire_at,
                error=reason,
            )
            if inserted and excuse is not None:
                excused = await outages.excuse_day(
                    session, excuse.group_id, excuse.day, f"no daily post: {reason}", now
                )
        if excused and excuse is not None:
            await self.deps.notify_day_excused(excuse.group_id)
        if inserted:
            log.warning("%s recorded as missed", key.describe())
        return Outcome.MISSED if inserted else Outcome.ALREADY

    async def _record_skipped(
        self, target: Target, occurrence: Occurrence, now: datetime
    ) -> Outcome:
        key = PostKey(target.space_id, target.channel_id, occurrence.kind, occurrence.day)
        async with self.deps.sessions() as session, session.begin():
            inserted = await ledger.record_final(
                session,
                key,
                PostStatus.SKIPPED,
                now=now,
                scheduled_for=occurrence.fire_at,
                error="posting is paused (/admin resume)",
            )
        return Outcome.SKIPPED if inserted else Outcome.ALREADY

    def prepare(
        self, schedule: GroupSchedule, target: Target, key: PostKey, day: date
    ) -> PrepareFn:
        """The prepare step for a channel post (content drawn for group day ``day``)."""
        deps = self.deps
        blocked = any(
            space.space_id == target.space_id and target.channel_id in space.blocked
            for space in schedule.spaces
        )

        async def prepare(session: Session) -> Prepared:
            content = await channel_post(
                session,
                deps.content,
                schedule,
                key,
                day=day,
                platform=target.platform,
                now=deps.clock.now(),
            )
            return Prepared(
                target.destination(),
                content.reply,
                content.content_id,
                unblock=(target.space_id, target.channel_id) if blocked else None,
            )

        return prepare

    async def post_now(
        self, schedule: GroupSchedule, target: Target, kind: PostKind, *, force: bool
    ) -> Outcome:
        """``/admin post``: today's post now.

        Once per day: a day whose post failed, was missed or skipped is posted again; a
        day whose post went out only with ``force`` (as an extra post outside the ledger).
        """
        deps = self.deps
        now = deps.clock.now()
        key = PostKey(target.space_id, target.channel_id, kind, now.astimezone(schedule.tz).date())
        prepare = self.prepare(schedule, target, key, group_day(schedule, now))
        outcome = await self.poster.claim_and_deliver(
            key, prepare, scheduled_for=now, deadline=None, excuse=None
        )
        if outcome is not Outcome.ALREADY:
            return outcome
        async with deps.sessions() as session, session.begin():
            row = await ledger.find(session, key)
            claim = None
            if row is not None:
                claim = await ledger.retake(
                    session, row, owner=deps.owner, now=now, lease=deps.lease
                )
        if claim is not None:
            return await self.poster.deliver(claim, prepare, deadline=None, excuse=None)
        if force and row is not None and row.status == PostStatus.SENT.value:
            # A deliberate extra post: outside the ledger, with its own idempotency key.
            async with deps.sessions() as session, session.begin():
                prepared = await prepare(session)
            try:
                await deps.delivery.send(
                    prepared.destination,
                    prepared.reply,
                    key=f"{key.idempotency_key[:14]}f{int(now.timestamp())}",
                )
            except SendError as exc:
                log.warning("forced %s post to %s failed: %s", kind.value, target.channel_id, exc)
                return Outcome.FAILED
            return Outcome.SENT
        return Outcome.ALREADY

    async def resume(self, claim: ledger.Claim, schedule: GroupSchedule) -> Outcome:
        """Finish a channel post taken over from an instance whose lease ran out."""
        async with self.deps.sessions() as session:
            space = await schedule_repo.space(session, claim.key.space_id)
        target = Target(space.id, Platform(space.platform), space.external_id, claim.key.channel_id)
        scheduled = claim.scheduled_for or self.deps.clock.now()
        day = group_day(schedule, scheduled)
        return await self.poster.deliver(
            claim,
            self.prepare(schedule, target, claim.key, day),
            deadline=scheduled + schedule.catchup,
            excuse=excuse_for(claim.key.kind, schedule.group_id, day),
        )


def group_day(schedule: GroupSchedule, at: datetime) -> date:
    """The group's local (streak) date at instant ``at``."""
    return local_date(at, schedule.tz, schedule.day_start)
