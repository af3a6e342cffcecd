"""``/badges [MEMBER]``: the badges a member earned, with the day each was earned.

Badges are kept for good: a streak that later breaks, or a moderator's repair downward,
never takes one away. The same list shows (shorter) in ``/streak`` and on the streak card.
"""

from __future__ import annotations

from bot.core.commands import Param, ParamKind
from bot.core.context import CommandContext
from bot.core.models import Reply
from bot.db.models import Member
from bot.db.repositories import awards as awards_repo
from bot.db.repositories import stats as stats_repo
from bot.db.repositories.awards import RewardSettings
from bot.features.checkins.service import excused_days, member_day
from bot.features.checkins.streak_view import resolve_member
from bot.features.recognition.messages import BadgeLine, badge_text
from bot.features.recognition.router import router
from bot.recognition import CATALOGUE, Family, Milestone, milestone
from bot.recognition.milestones import order
from bot.streaks import StreakState, current


async def badge_lines(ctx: CommandContext, member: Member) -> list[BadgeLine]:
    """The member's badges in catalogue order."""
    held = await awards_repo.held(ctx.session, member.id)
    lines = [BadgeLine(a.milestone, a.earned_on, a.source, a.note) for a in held]
    return sorted(lines, key=lambda line: order(line.milestone))


def best_badges(lines: list[BadgeLine]) -> list[Milestone]:
    """The highest badge of each kind, in catalogue order."""
    best: dict[Family, Milestone] = {}
    for line in lines:
        item = milestone(line.milestone)
        if item is None:
            continue
        if item.family not in best or item.threshold > best[item.family].threshold:
            best[item.family] = item
    return sorted(best.values(), key=lambda item: order(item.id))


def short_badges(lines: list[BadgeLine]) -> str:
    """The badges as one short line: the highest of each kind, and how many more."""
    best = best_badges(lines)
    more = len(lines) - len(best)
    return " · ".join(item.badge for item in best) + (f" (+{more} more: /badges)" if more else "")


def next_milestones(run: int, total: int, settings: RewardSettings, held: set[str]) -> list[str]:
    """The next streak and check-in milestone still to earn, as short phrases."""
    found = []
    for family, figure, unit in ((Family.STREAK, run, "day"), (Family.CHECKINS, total, "check-in")):
        for item in CATALOGUE:
            if item.family is not family or item.id in settings.off or item.id in held:
                continue
            if item.threshold > figure:
                left = item.threshold - figure
                found.append(f"{item.badge} in {left} more {unit}{'s' if left != 1 else ''}")
                break
    return found


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
