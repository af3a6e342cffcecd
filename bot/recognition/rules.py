"""Which milestones a change of a member's figures crosses (pure).

A threshold is *crossed* when the figure was below it before and is at or above it after.
Crossing, not "at or above", is what keeps an upgrade quiet: a member already on a
40-day streak when recognition arrives is not flooded with four badges on their next
check-in (earning is also idempotent in storage: a badge held is never earned again).
A change downward crosses nothing, so a broken streak or a repair downward never revokes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from bot.recognition.milestones import CATALOGUE, Family, Milestone


@dataclass(frozen=True)
class Figures:
    """The figures milestones are measured on.

    Attributes:
        run: The streak length (days in a row) as stored for the member's latest day.
        total: Check-ins in total.
    """

    run: int = 0
    total: int = 0

    def of(self, family: Family) -> int | None:
        """The figure a family measures (``None`` for event milestones such as firsts)."""
        if family is Family.STREAK:
            return self.run
        if family is Family.CHECKINS:
            return self.total
        return None


def crossed(
    before: Figures,
    after: Figures,
    *,
    disabled: Collection[str] = (),
    catalogue: Iterable[Milestone] = CATALOGUE,
) -> list[Milestone]:
    """The figure milestones crossed from ``before`` to ``after``, lowest first.

    Args:
        before: The figures before the change (zeros for a new member).
        after: The figures after it.
        disabled: Milestone ids the group switched off.
        catalogue: The milestones to consider.
    """
    found = []
    for item in catalogue:
        if item.id in disabled:
            continue
        low, high = before.of(item.family), after.of(item.family)
        if low is None or high is None:
            continue
        if low < item.threshold <= high:
            found.append(item)
    return found
