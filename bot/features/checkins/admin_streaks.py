"""``/admin streak MEMBER set|restore|recompute|show``: audited repairs of one streak.

- ``set RUN [DAY] REASON`` records a moderator override (replayed with the check-ins like
  everything else): the member's run is RUN as of DAY (default: today if they checked in
  today, else yesterday, so today's ``/done`` still counts).
- ``restore [DAY] REASON`` excuses missed days for that member: DAY, or else the days of
  the break that ended their latest streak (up to 7). Excused days never break a streak
  and never use a freeze.
- ``recompute [REASON]`` replays the member's figures from their rows under the group's
  current rules (after a rules change, or to repair drift).
- ``show`` lists the stored figures and checks them against a replay.

Every change is written to the audit log with the reason, before and after.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.commands import Param, ParamKind, Role
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply
from bot.core.refs import MemberRef
from bot.core.wording import count, possessive
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories import stats as stats_repo
from bot.db.repositories.stats import StatsRow
from bot.features.awards.celebrate import celebrate_soon
from bot.features.awards.repairs import repair_badges
from bot.features.checkins.audit_check import verify_members
from bot.features.checkins.checkin_service import checkins_of
from bot.features.checkins.done import days
from bot.features.checkins.router import router
from bot.features.checkins.service import MemberDay, excused_days, member_day
from bot.features.checkins.streak_view import resolve_member
from bot.streaks import CheckInDay, StreakPolicy, StreakState, apply, current

RESTORE_MAX_DAYS = 7
ACTIONS = ("set", "restore", "recompute", "show")


def snapshot(row: StatsRow | None) -> dict[str, object]:
    """The audited figures of a stats row."""
    state = row.state if row is not None else StreakState()
    return {
        "run": state.run,
        "run_end": state.run_end.isoformat() if state.run_end else None,
        "longest": state.longest,
        "total": state.total,
        "freezes": state.freezes,
    }


@router.command(
    "streak",
    "Repair a member's streak (set, restore), recompute or show it; audited.",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
    params=(
        Param("member", ParamKind.MEMBER, "Whose streak.", required=True, autocomplete="members"),
        Param("action", ParamKind.CHOICE, "What to do.", required=True, choices=ACTIONS),
        Param("run", ParamKind.INTEGER, "set: the streak length.", min_value=0, max_value=3650),
        Param("day", ParamKind.DATE, "set: as of this day; restore: the day to excuse."),
        Param("reason", ParamKind.TEXT, "Why (required for set and restore)."),
    ),
    examples=("@ann set 12 lost in the outage", "@ann restore my bug broke it", "@ann show"),
)
async def admin_streak(
    ctx: CommandContext,
    member: str,
    action: str,
    run: int | None = None,
    day: date | None = None,
    reason: str | None = None,
) -> Reply:
    """Run one of the streak repair actions on a member."""
    target = await resolve_member(ctx, member)
    where = await member_day(ctx, target)
    if action == "show":
        return await _show(ctx, target, where)
    if action in ("set", "restore") and not (reason and reason.strip()):
        raise UserError(f"Say why: `/admin streak {member} {action} … REASON` (it is audited).")
    if day is not None and day > where.today:
        raise UserError(f"{day.isoformat()} is in the future for {target.display_name}.")
    before = (await stats_repo.load(ctx.session, [target.id], lock=False)).get(target.id)
    if action == "set":
        if run is None:
            raise UserError("Give the streak length: `/admin streak MEMBER set RUN REASON`.")
        as_of = day or await _default_as_of(ctx, target, where)
        await stats_repo.add_override(ctx.session, target.id, as_of, run, reason or "", ctx.now)
        what = f"set to {days(run)} as of {as_of.isoformat()}"
    elif action == "restore":
        excuse = [day] if day is not None else await _break_days(ctx, target, where)
        added = await stats_repo.add_excused(
            ctx.session, target.group_id, target.id, excuse, reason or "", ctx.now
        )
        if not added:
            raise UserError(f"Nothing to restore: {_list(excuse) or 'no break'} already excused.")
        what = f"restored: {_list(added)} excused"
    else:
        what = "recomputed from the check-ins"
    checkins = checkins_of(ctx.services)
    changes = await checkins.recompute(ctx.session, [target.id], where.policy, ctx.now)
    after = changes[target.id].after
    badges = await repair_badges(ctx, target, before, after, action, reason)
    if badges.awarded:
        services, group_id = ctx.services, ctx.group.id
        ctx.after_commit(lambda: celebrate_soon(services, group_id))
    audited = snapshot(after)
    if badges.awarded:
        audited["badges_awarded"] = list(badges.awarded)
    if badges.kept:
        audited["badges_kept"] = list(badges.kept)
    await ctx.audit(
        f"streak.{action}",
        target=f"member:{target.id}",
        before=snapshot(before),
        after=audited,
        reason=(reason or "").strip() or None,
    )
    shown = current(after.state, where.today, where.policy, await excused_days(ctx, target))
    return Reply(
        text=(
            f"{possessive(target.display_name, start=True)} streak {what}. Now "
            f"**{days(shown.run)}** (was {days(before.state.run if before else 0)}); longest "
            f"{days(after.state.longest)}, {count(after.state.total, 'check-in')}. Audited."
            + badges.text()
        )
    )


def _list(items: list[date]) -> str:
    return ", ".join(d.isoformat() for d in items)


async def _default_as_of(ctx: CommandContext, member: MemberRef, where: MemberDay) -> date:
    if await checkins_repo.has_checkin(ctx.session, member.id, where.today):
        return where.today
    return where.today - timedelta(days=1)


async def _break_days(ctx: CommandContext, member: MemberRef, where: MemberDay) -> list[date]:
    """The missed days of the break that ended the member's latest streak."""
    history = (await checkins_repo.history(ctx.session, [member.id]))[member.id]
    excused = await excused_days(ctx, member)
    gap = latest_break(history, where.policy, excused, where.today)
    if not gap:
        raise UserError(f"{member.display_name} has no break to restore.")
    if len(gap) > RESTORE_MAX_DAYS:
        raise UserError(
            f"That break is {len(gap)} days long; restore excuses up to {RESTORE_MAX_DAYS}. "
            "Give a DAY per missed day, or use `set`."
        )
    return gap


def latest_break(
    history: list[CheckInDay], policy: StreakPolicy, excused: frozenset[date], today: date
) -> list[date]:
    """The unbridged days that broke the latest streak (up to yesterday), oldest first."""
    state = StreakState.empty()
    gap: list[date] = []
    for checkin in sorted(history, key=lambda c: c.day):
        if state.run_end is not None and checkin.day <= state.run_end:
            continue
        before = state
        state = apply(state, checkin, policy, excused)
        if before.run > 0 and state.run == 1 and before.run_end is not None:
            start = before.run_end + timedelta(days=1)
            gap = list(policy.unbridged_days(start, checkin.day, excused.__contains__))
    if state.run_end is not None and current(state, today, policy, excused).broken:
        start = state.run_end + timedelta(days=1)
        gap = list(policy.unbridged_days(start, today, excused.__contains__))
    return gap


async def _show(ctx: CommandContext, member: MemberRef, where: MemberDay) -> Reply:
    row = (await stats_repo.load(ctx.session, [member.id], lock=False)).get(member.id)
    state = row.state if row is not None else StreakState()
    problems = await verify_members(ctx.session, ctx.group.id, [member.id], where.policy)
    check = (
        "Stored figures agree with a replay of the check-ins."
        if not problems
        else ("Differences from a replay (fix with `recompute`):\n" + "\n".join(problems))
    )
    text = (
        f"Run {days(state.run)}{_until(state.run_end)}, longest {days(state.longest)}, "
        f"{count(state.total, 'check-in')}, {count(state.freezes, 'freeze')}; "
        f"{_shown_until(row.alive_until if row else None)}"
        f"{'; hidden from the leaderboard' if member.hidden else ''}.\n{check}"
    )
    return Reply(title=f"{possessive(member.display_name, start=True)} stored streak", text=text)


def _until(day: object) -> str:
    return f" (to {day})" if day else ""


def _shown_until(day: object) -> str:
    return f"shown as running until {day}" if day else "no running streak"
