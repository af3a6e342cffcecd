"""What a moderator's streak repair does to badges, for its reply and its audit entry.

A repair that crosses a threshold upward earns the badge, with the repair noted on the
award (``source`` ``repair``). A repair downward revokes nothing: badges are kept when a
streak later breaks, and a repair is no different. That is never silent: the audit entry
lists the badges kept above the new figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.context import CommandContext
from bot.core.refs import MemberRef
from bot.db.repositories import awards as awards_repo
from bot.db.repositories.stats_row import StatsRow
from bot.features.awards.earn import Cause, earn, figures
from bot.recognition import milestone


@dataclass(frozen=True)
class RepairBadges:
    """Badges a repair awarded, and badges kept although the figures went below them."""

    awarded: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()

    def text(self) -> str:
        """A sentence for the moderator's reply (empty when nothing concerns badges)."""
        parts = []
        if self.awarded:
            parts.append(
                f" Badge{'s' if len(self.awarded) > 1 else ''} earned with this "
                f"repair: {', '.join(self.awarded)}."
            )
        if self.kept:
            parts.append(f" Badges are never revoked; kept: {', '.join(self.kept)}.")
        return "".join(parts)


async def repair_badges(
    ctx: CommandContext,
    member: MemberRef,
    before: StatsRow | None,
    after: StatsRow,
    action: str,
    reason: str | None,
) -> RepairBadges:
    """Earn what the repair crossed; list what is kept above the new figures."""
    why = (reason or "").strip()
    note = f"/admin streak {action} by {ctx.member.display_name}" + (f": {why}" if why else "")
    cause = Cause("repair", note=note[:500], space_id=ctx.space.id)
    earned = await earn(ctx.session, [(before, after)], cause, ctx.now)
    awarded = tuple(item.badge for item in earned.get(member.id, ()))
    old, new = figures(before), figures(after)
    kept = []
    for award in await awards_repo.held(ctx.session, member.id):
        item = milestone(award.milestone)
        if item is None:
            continue
        low, high = new.of(item.family), old.of(item.family)
        if low is not None and high is not None and low < item.threshold and low < high:
            kept.append(item.badge)
    return RepairBadges(awarded, tuple(kept))
