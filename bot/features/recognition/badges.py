"""``/badges [MEMBER]``: the badges a member earned, with the day each was earned.

Badges are kept for good: a streak that later breaks, or a moderator's repair downward,
never takes one away. The same list shows (shorter) in ``/streak`` and on the streak card.
"""

from __future__ import annotations

from bot.core.commands import Param, ParamKind
from bot.core.context import CommandContext
from bot.core.models import Reply
from bot.db.repositories import awards as awards_repo
from bot.db.repositories import stats as stats_repo
from bot.features.awards.badges_view import badge_lines, next_milestones
from bot.features.awards.messages import badge_text
from bot.features.checkins.service import excused_days, member_day
from bot.features.checkins.streak_view import resolve_member
from bot.features.recognition.router import router
from bot.streaks import StreakState, current


@router.command(
    "badges",
    "Your badges (or a member's): milestones earned and when.",
    params=(
        Param("member", ParamKind.MEMBER, "Whose badges (default: yours).", autocomplete="members"),
    ),
    examples=("", "@ann"),
)
async def badges(ctx: CommandContext, member: str | None = None) -> Reply:
    """List a member's badges with the date each was earned."""
    target = await resolve_member(ctx, member)
    yours = target.id == ctx.member.id
    if target.hidden and not yours and not ctx.is_moderator:
        return Reply(text=f"{target.display_name} keeps their badges private.", ephemeral=True)
    lines = await badge_lines(ctx, target)
    row = (await stats_repo.load(ctx.session, [target.id], lock=False)).get(target.id)
    settings = await awards_repo.reward_settings(ctx.session, ctx.group.id)
    state = row.state if row is not None else StreakState()
    where = await member_day(ctx, target)
    shown = current(state, where.today, where.policy, await excused_days(ctx, target))
    run, total = shown.run, state.total
    upcoming = next_milestones(run, total, settings, {line.milestone for line in lines})
    title = "Your badges" if yours else f"{target.display_name}'s badges"
    if not lines:
        who = "You have" if yours else f"{target.display_name} has"
        text = f"{who} no badges yet."
    else:
        text = "\n".join(badge_text(line) for line in lines)
    footer = ("Next: " + "; ".join(upcoming) + ".") if upcoming else None
    return Reply(title=title, text=text, footer=footer, ephemeral=True)
