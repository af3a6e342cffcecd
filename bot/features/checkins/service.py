"""Glue between handlers and the check-in service: a member's day, recording one check-in.

The composition root (``bot/app.py``) builds the
:class:`~bot.features.checkins.checkin_service.CheckinService` with its writer, puts it in
``services.checkins`` and runs it as a component (started with the app, stopped after the
dispatcher has drained, flushing what is queued).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.context import CommandContext, zone
from bot.core.refs import MemberRef
from bot.db.repositories import stats as stats_repo
from bot.features.awards.celebrate import celebrate_soon
from bot.features.checkins.checkin_service import checkins_of
from bot.features.checkins.recording import CheckinRequest, CheckinResult
from bot.features.checkins.rules import policy_from
from bot.streaks import StreakPolicy, time_left


@dataclass(frozen=True)
class MemberDay:
    """Where a member stands in time: their zone, local date and the group's rules."""

    tz_name: str
    today: date
    policy: StreakPolicy
    now: datetime

    @property
    def tz(self) -> ZoneInfo:
        """The member's zone."""
        return zone(self.tz_name)

    def time_left(self) -> timedelta:
        """Real time until the member's local day ends."""
        return time_left(self.now, self.tz, self.policy.day_start)


async def member_day(ctx: CommandContext, member: MemberRef | None = None) -> MemberDay:
    """The member's (default: the caller's) zone, else the group's, and today there."""
    member = member or ctx.member
    settings = await ctx.settings()
    policy = policy_from(settings.values)
    tz_name = member.timezone or str(settings["timezone"])
    return MemberDay(tz_name, await ctx.today(member), policy, ctx.now)


async def record_checkin(ctx: CommandContext, request: CheckinRequest) -> CheckinResult:
    """Record one check-in through the check-in service; celebrate what it earned after commit."""
    # The writer marks the command's inbox entry recorded with the check-in (one commit).
    request = replace(request, inbox_key=ctx.invocation.inbox_key)
    result = await checkins_of(ctx.services).record(ctx.session, request, ctx.now)
    if result.earned:
        services, group_id = ctx.services, ctx.group.id
        ctx.after_commit(lambda: celebrate_soon(services, group_id))
    return result


async def excused_days(ctx: CommandContext, member: MemberRef) -> frozenset[date]:
    """Days excused for a member (group amnesties and their own restored days)."""
    found = await stats_repo.excuses(ctx.session, [member.group_id], [member.id])
    return found.of(member.group_id, member.id)
