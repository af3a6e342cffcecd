"""``/streak [member] [share]``: current and longest streak, check-ins, freezes, 30 days.

The current streak is computed for the member's local today from the stored figures
(:func:`bot.streaks.current`), so someone who missed yesterday never sees a stale
number. Answered privately unless ``share:true``. Another member who hides from the
boards keeps their streak private too, except from moderators.
"""

from __future__ import annotations

from dataclasses import replace

from bot.cards import DayState, StreakCard
from bot.cards.service import render_image
from bot.cards.streak import alt_text, render_streak
from bot.core.commands import Param, ParamKind
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply, ReplyField
from bot.core.refs import MemberRef
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories import stats as stats_repo
from bot.db.repositories.spaces import find_members
from bot.features.awards.badges_view import badge_lines, best_badges, short_badges
from bot.features.cards import VIEWS, cards_enabled
from bot.features.checkins.calendar import frozen_days, grid, marks
from bot.features.checkins.done import days
from bot.features.checkins.router import router
from bot.features.checkins.service import MemberDay, excused_days, member_day
from bot.streaks import StreakState, current, format_duration

# Discord names are at most 32 characters and Slack's 80; anything longer names nobody.
MAX_MEMBER_REF = 100


async def resolve_member(ctx: CommandContext, ref: str | None) -> MemberRef:
    """The member ``ref`` names exactly (platform id, mention or display name), else the caller.

    Raises:
        UserError: nobody has that name, or several members do (the caller is asked to
            mention the one they mean; nothing is changed).
    """
    if not ref:
        return ctx.member
    if len(ref) > MAX_MEMBER_REF:
        raise UserError(f"A member name is at most {MAX_MEMBER_REF} characters.")
    found = await find_members(ctx.session, ctx.space, ref)
    if not found:
        raise UserError(f"I don't know a member `{ref}` in this group.")
    if len(found) > 1:
        raise UserError(
            f"{len(found)} members are called `{ref}`: mention the one you mean "
            "(nothing was changed)."
        )
    return found[0]


@router.command(
    "streak",
    "Your streak (or a member's): current, longest, check-ins, freezes and the last 30 days.",
    params=(
        Param("member", ParamKind.MEMBER, "Whose streak (default: yours).", autocomplete="members"),
        Param("share", ParamKind.BOOLEAN, "Show the answer in the channel (default: only you)."),
        Param("view", ParamKind.CHOICE, "text (default) or card: a picture", choices=VIEWS),
    ),
    examples=("", "@ann", "share:true", "card"),
)
async def streak(
    ctx: CommandContext, member: str | None = None, share: bool = False, view: str = "text"
) -> Reply:
    """Show a member's streak figures and calendar."""
    target = await resolve_member(ctx, member)
    yours = target.id == ctx.member.id
    if target.hidden and not yours and not ctx.is_moderator:
        return Reply(text=f"{target.display_name} keeps their streak private.", ephemeral=True)
    where = await member_day(ctx, target)
    row = (await stats_repo.load(ctx.session, [target.id], lock=False)).get(target.id)
    state = row.state if row is not None else StreakState()
    excused = await excused_days(ctx, target)
    shown = current(state, where.today, where.policy, excused, tz=where.tz_name)
    history = (await checkins_repo.history(ctx.session, [target.id]))[target.id]
    overrides = (await stats_repo.overrides(ctx.session, [target.id]))[target.id]
    frozen = frozen_days(history, where.policy, excused, overrides) | set(shown.frozen_days)
    day_marks = marks(where.today, {c.day for c in history}, frozen, excused, where.policy)

    if shown.checked_in_today:
        status = "checked in today"
    elif shown.run:
        status = "not checked in yet today"
    elif shown.broken:
        status = "it ended; `/done` starts a new one" if yours else "it ended"
    else:
        status = "`/done` starts one" if yours else "no streak yet"
    lines = [f"Current streak: **{days(shown.run)}** ({status})."]
    if shown.frozen_days:
        covered = ", ".join(f"{d:%a %d %b}" for d in shown.frozen_days)
        lines.append(f"A freeze will cover {covered} with the next check-in.")
    lines.append(
        f"Longest: {days(state.longest)} · Check-ins: {state.total} · "
        f"Freezes: {shown.freezes_left} of {where.policy.max_freezes}{_next_freeze(state, where)}"
    )
    badges, best = await _badges(ctx, target)
    if badges:
        lines.append(f"Badges: {badges}")
    whose = "Your" if yours else "Their"
    footer = f"{whose} day ends in {format_duration(where.time_left())} ({where.tz_name})."
    if target.hidden:
        footer += " Hidden from leaderboards."
    reply = Reply(
        title="Your streak" if yours else f"{target.display_name}'s streak",
        text="\n".join(lines),
        fields=(ReplyField("Last 30 days", grid(day_marks)),),
        footer=footer,
        ephemeral=not share,
    )
    if view != "card" or not await cards_enabled(ctx):
        return reply
    long_marks = marks(
        where.today, {c.day for c in history}, frozen, excused, where.policy, days=182
    )
    card = StreakCard(
        name=target.display_name,
        current=shown.run,
        longest=state.longest,
        freezes=shown.freezes_left,
        max_freezes=where.policy.max_freezes,
        checkins=state.total,
        today=where.today,
        days={day: DayState(mark) for day, mark in long_marks.items()},
        badges=best,
    )
    image = await render_image(render_streak, alt_text, card, "streak.png")
    return replace(reply, image=image)


async def _badges(ctx: CommandContext, member: MemberRef) -> tuple[str, tuple[str, ...]]:
    """The member's badges in one short line ("" when none) and the card's labels."""
    lines = await badge_lines(ctx, member)
    return short_badges(lines), tuple(item.label for item in best_badges(lines))


def _next_freeze(state: StreakState, where: MemberDay) -> str:
    policy = where.policy
    if not policy.freeze_every or state.freezes >= policy.max_freezes:
        return ""
    left = policy.freeze_every - state.progress
    return f" (next in {days(left)} in a row)"
