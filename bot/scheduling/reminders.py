"""Streak reminders ("your streak is at risk"): a nudge before a local day ends, once.

Members who turned reminders on (``members.reminders``) and have not checked in on their
current local day (their timezone, else the group's, and the group's day start) get a
direct message ``reminder.hours_before`` hours before that day ends. When the platform
says their direct messages are closed, the nudge becomes a mention in the space's
reminder channel (the challenge channel unless set). Each (member, local day) is one row
in the post ledger (channel ``member:<id>``), so restarts and several instances never
nudge twice.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.models import Destination, Platform, Reply
from bot.db.repositories import reminders as reminders_repo
from bot.db.repositories.posts_ledger import Claim
from bot.db.sessions import Session
from bot.scheduling.config import GroupSchedule
from bot.scheduling.model import PostKey, PostKind, reminder_channel, reminder_member
from bot.scheduling.planner import next_nudge, nudge_instant
from bot.scheduling.posting import Outcome, PostRunner, Prepared, PrepareFn, SkipPost
from bot.streaks.localday import day_bounds, format_duration, local_date

log = logging.getLogger(__name__)

#: Reminder preferences and timezones change without a settings hook; look again this often.
RECHECK = timedelta(hours=1)


def _zone(name: str | None, default: ZoneInfo) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else default
    except (ValueError, KeyError):
        return default


class Reminders:
    """Finds members whose day is about to end without a check-in, and nudges them."""

    def __init__(self, poster: PostRunner) -> None:
        self.poster = poster
        self.deps = poster.deps

    async def run(self, schedule: GroupSchedule) -> datetime:
        """Nudge every member due now; returns when this group should be looked at next."""
        deps = self.deps
        now = deps.clock.now()
        async with deps.sessions() as session:
            rows = await reminders_repo.reminder_members(session, schedule.group_id)
        next_at = now + RECHECK
        due: dict[int, tuple[date, datetime]] = {}
        for zone_name in {tz for _, tz in rows}:
            tz = _zone(zone_name, schedule.tz)
            next_at = min(
                next_at, next_nudge(tz, schedule.day_start, schedule.reminder_before, now)
            )
        for member_id, zone_name in rows:
            tz = _zone(zone_name, schedule.tz)
            today = local_date(now, tz, schedule.day_start)
            _, end = day_bounds(today, tz, schedule.day_start)
            if nudge_instant(today, tz, schedule.day_start, schedule.reminder_before) <= now < end:
                due[member_id] = (today, end)
        if schedule.paused or not due:
            return next_at
        async with deps.sessions() as session:
            settled = await reminders_repo.settled(
                session, schedule.group_id, {member: day for member, (day, _) in due.items()}
            )
        for member_id, (today, end) in due.items():
            if member_id in settled:
                continue
            try:
                await self._nudge(schedule, member_id, today, end)
            except Exception:
                log.exception("reminder for member %s failed", member_id)
        return next_at

    async def _nudge(
        self, schedule: GroupSchedule, member_id: int, day: date, end: datetime
    ) -> None:
        async with self.deps.sessions() as session:
            reaches = await reminders_repo.reaches(session, member_id)
        if not reaches:
            return
        running = self.deps.platforms()
        if not any(Platform(reach.space.platform) in running for reach in reaches):
            return
        # The ledger row hangs off the member's first identity, whichever platform sends,
        # so a member in two spaces is still nudged once.
        key = PostKey(reaches[0].space.id, reminder_channel(member_id), PostKind.REMINDER, day)
        await self.poster.claim_and_deliver(
            key,
            self.prepare(schedule, member_id, day, end),
            scheduled_for=end - schedule.reminder_before,
            deadline=end,
            excuse=None,
        )

    def prepare(
        self, schedule: GroupSchedule, member_id: int, day: date, end: datetime
    ) -> PrepareFn:
        """The prepare step of one member's reminder (re-checks that it is still needed)."""
        deps = self.deps

        async def prepare(session: Session) -> Prepared:
            if await reminders_repo.settled(session, schedule.group_id, {member_id: day}):
                raise SkipPost("checked in (or the day was excused) before the reminder")
            running = deps.platforms()
            choices = [
                reach
                for reach in await reminders_repo.reaches(session, member_id)
                if Platform(reach.space.platform) in running
            ]
            if not choices:
                raise SkipPost("no running platform reaches this member")
            user_id, space = choices[0].platform_user_id, choices[0].space
            run = await reminders_repo.current_run(session, member_id, day)
            reply = reminder_reply(run, end - deps.clock.now())
            platform = Platform(space.platform)
            fallback = None
            channels = next((s for s in schedule.spaces if s.space_id == space.id), None)
            channel = None if channels is None else channels.channels.get(PostKind.REMINDER)
            if channel:
                fallback = Prepared(
                    Destination(platform, space.external_id, channel_id=channel),
                    replace(reply, mention_user_ids=(user_id,)),
                )
            return Prepared(
                Destination(platform, space.external_id, user_id=user_id),
                reply,
                fallback=fallback,
            )

        return prepare

    async def resume(self, claim: Claim, schedule: GroupSchedule) -> Outcome:
        """Finish a reminder taken over from an instance whose lease ran out."""
        member_id = reminder_member(claim.key.channel_id)
        if member_id is None:
            raise ValueError(f"not a reminder row: {claim.key.describe()}")
        async with self.deps.sessions() as session:
            zone_name = await reminders_repo.member_timezone(session, member_id)
        tz = _zone(zone_name, schedule.tz)
        _, end = day_bounds(claim.key.local_date, tz, schedule.day_start)
        return await self.poster.deliver(
            claim,
            self.prepare(schedule, member_id, claim.key.local_date, end),
            deadline=end,
            excuse=None,
        )


def reminder_reply(run: int, left: timedelta) -> Reply:
    """The nudge itself."""
    remaining = format_duration(max(left, timedelta(0)))
    if run > 0:
        text = (
            f"Your **{run}-day** streak is at risk: {remaining} left in your day "
            "and no check-in yet."
        )
    else:
        text = f"No check-in yet today, and {remaining} left in your day."
    text += "\nDo today's `/challenge` (or any practice) and type `/done` to check in."
    return Reply(
        title="Your streak is at risk",
        text=text,
        footer="You get this because reminders are on; `/settings reminders:off` stops them.",
    )
