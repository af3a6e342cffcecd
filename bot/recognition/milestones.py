"""The milestone catalogue: what can be earned, its stable id, and how it reads.

Ids are stable strings stored in ``awards.milestone`` and typed by moderators in
``/admin rewards``: ``streak-7``, ``checkins-50``, ``first-step``, ``first-project``,
``first-phase``. Renaming one would orphan earned badges, so ids never change; labels may.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Family(StrEnum):
    """What kind of achievement a milestone measures."""

    STREAK = "streak"
    CHECKINS = "checkins"
    STEP = "step"
    PROJECT = "project"
    PHASE = "phase"


#: Streak lengths (days in a row) that are milestones by default.
STREAK_LENGTHS: tuple[int, ...] = (3, 7, 14, 30, 50, 100, 200, 365)
#: Check-in totals that are milestones by default.
CHECKIN_COUNTS: tuple[int, ...] = (10, 25, 50, 100, 250, 500, 1000)


@dataclass(frozen=True)
class Milestone:
    """One thing a member can earn, once.

    Attributes:
        id: Stable id (``streak-7``).
        family: What it measures.
        threshold: The figure that earns it (days, check-ins; 1 for the firsts).
        label: How it reads in replies (``7-day streak``).
        emoji: Shown before the label on badges.
    """

    id: str
    family: Family
    threshold: int
    label: str
    emoji: str

    @property
    def badge(self) -> str:
        """The badge as one short string: ``🔥 7-day streak``."""
        return f"{self.emoji} {self.label}"


def _streak_emoji(days: int) -> str:
    if days >= 100:
        return "🏆"
    if days >= 30:
        return "🌟"
    return "🔥"


def _catalogue() -> tuple[Milestone, ...]:
    items = [
        Milestone(f"streak-{n}", Family.STREAK, n, f"{n}-day streak", _streak_emoji(n))
        for n in STREAK_LENGTHS
    ]
    items += [
        Milestone(f"checkins-{n}", Family.CHECKINS, n, f"{n} check-ins", "✅")
        for n in CHECKIN_COUNTS
    ]
    items += [
        Milestone("first-step", Family.STEP, 1, "first roadmap step finished", "👣"),
        Milestone("first-project", Family.PROJECT, 1, "first project finished", "🛠️"),
        Milestone("first-phase", Family.PHASE, 1, "a roadmap phase finished", "🎓"),
    ]
    return tuple(items)


#: Every milestone, in the order ``/admin rewards`` and ``/badges`` list them.
CATALOGUE: tuple[Milestone, ...] = _catalogue()
_BY_ID = {m.id: m for m in CATALOGUE}
_ORDER = {m.id: index for index, m in enumerate(CATALOGUE)}


class UnknownMilestone(ValueError):
    """A typed milestone that is not in the catalogue (the message lists what is)."""


def milestone(milestone_id: str) -> Milestone | None:
    """The milestone with this exact id, if any."""
    return _BY_ID.get(milestone_id)


def order(milestone_id: str) -> int:
    """Sort key: catalogue order, unknown ids (from an older catalogue) last."""
    return _ORDER.get(milestone_id, len(_ORDER))


_ALIASES = re.compile(r"^(streak|checkins?|check-ins?)[\s:_-]*(\d+)(?:[\s-]*(?:days?|d))?$")


def parse_milestone(text: str) -> Milestone:
    """The milestone a moderator typed: an id, or ``streak 7``, ``7-day``, ``checkins:50``.

    Raises:
        UnknownMilestone: nothing in the catalogue matches (the message says what does).
    """
    typed = " ".join(text.strip().lower().split())
    found = _BY_ID.get(typed)
    if found is None:
        days = re.fullmatch(r"(\d+)[\s-]*(?:days?|d)(?:[\s-]*streak)?", typed)
        match = _ALIASES.match(typed)
        if days is not None:
            found = _BY_ID.get(f"streak-{int(days.group(1))}")
        elif match is not None:
            family = "streak" if match.group(1) == "streak" else "checkins"
            found = _BY_ID.get(f"{family}-{int(match.group(2))}")
    if found is None:
        shown = text.strip()[:40] or "(nothing)"
        raise UnknownMilestone(
            f"`{shown}` is not a milestone. Milestones are: "
            + ", ".join(m.id for m in CATALOGUE)
            + "."
        )
    return found
