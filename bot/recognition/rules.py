"""Which milestones a change of a member's figures crosses (pure).

A threshold is *crossed* when the figure was below it before and is at or above it after.
Crossing, not "at or above", is what keeps an upgrade quiet: a member already on a
40-day streak when recognition arrives is not flooded with four badges on their next
check-in (earning is also idempotent in storage: a badge held is never earned again).
A change downward crosses nothing, so a broken streak or a repair downward never revokes.
"""

from __future__ import annotations

from bisect import bisect_right
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
        catalogue: The milestones to consider, in the order results are listed.
    """
    # Every check-in asks this, so the usual answer (nothing crossed) must be cheap: each
    # family's thresholds are bisected instead of comparing the whole catalogue.
    found: list[tuple[int, Milestone]] = []
    ladders = _DEFAULT_LADDERS if catalogue is CATALOGUE else _ladders(tuple(catalogue))
    for family, (thresholds, ranked) in ladders.items():
        low, high = before.of(family), after.of(family)
        if low is None or high is None or high <= low:
            continue
        for position, item in ranked[
            bisect_right(thresholds, low) : bisect_right(thresholds, high)
        ]:
            if item.id not in disabled:
                found.append((position, item))
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


def _ladders(
    catalogue: tuple[Milestone, ...],
) -> dict[Family, tuple[list[int], list[tuple[int, Milestone]]]]:
    """Per measured family: its thresholds ascending, and each milestone with its position."""
    ladders: dict[Family, tuple[list[int], list[tuple[int, Milestone]]]] = {}
    probe = Figures()
    for position, item in sorted(enumerate(catalogue), key=lambda pair: pair[1].threshold):
        if probe.of(item.family) is None:
            continue  # an event milestone (a first step), not crossed by figures
        thresholds, ranked = ladders.setdefault(item.family, ([], []))
        thresholds.append(item.threshold)
        ranked.append((position, item))
    return ladders


_DEFAULT_LADDERS = _ladders(CATALOGUE)
