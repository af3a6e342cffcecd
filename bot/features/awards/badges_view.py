"""Badges as other features show them: a member's list, the best of each kind, what is next."""

from __future__ import annotations

from bot.core.context import CommandContext
from bot.core.refs import MemberRef
from bot.db.repositories import awards as awards_repo
from bot.db.repositories.awards import RewardSettings
from bot.features.awards.messages import BadgeLine
from bot.recognition import CATALOGUE, Family, Milestone, milestone
from bot.recognition.milestones import order


async def badge_lines(ctx: CommandContext, member: MemberRef) -> list[BadgeLine]:
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
