"""Recognition rules: milestones, which of them a change crosses, and how they read.

Pure code (no I/O), like :mod:`bot.streaks`: :mod:`.milestones` is the catalogue
(streak lengths, check-in counts, roadmap firsts) and :func:`~.rules.crossed` says which
thresholds a member's figures passed between two states. Storing awards, celebrating them
through the posts ledger and granting roles live in :mod:`bot.features.recognition`.
"""

from __future__ import annotations

from bot.recognition.milestones import (
    CATALOGUE,
    CHECKIN_COUNTS,
    STREAK_LENGTHS,
    Family,
    Milestone,
    UnknownMilestone,
    milestone,
    parse_milestone,
)
from bot.recognition.rules import Figures, crossed

__all__ = [
    "CATALOGUE",
    "CHECKIN_COUNTS",
    "STREAK_LENGTHS",
    "Family",
    "Figures",
    "Milestone",
    "UnknownMilestone",
    "crossed",
    "milestone",
    "parse_milestone",
]
