"""The view models cards are drawn from: plain frozen dataclasses, no database types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class DayState(StrEnum):
    """What happened on one local day of a streak calendar.

    The values are the marks of the text calendar (:mod:`bot.features.checkins.calendar`),
    so a feature can hand its marks over unchanged.
    """

    CHECKED = "x"
    FROZEN = "*"
    REST = "r"
    EXCUSED = "e"
    MISSED = "-"
    OPEN = "?"
    BLANK = "."


@dataclass(frozen=True)
class StreakCard:
    """A member's streak card.

    Attributes:
        name: Whose streak.
        current: Current streak in days.
        longest: Longest streak in days.
        freezes: Freezes held.
        max_freezes: Most freezes the group lets a member hold.
        checkins: Check-ins in total.
        today: The member's local today (the last calendar cell, marked).
        days: A state per local date; dates missing are drawn blank.
    """

    name: str
    current: int
    longest: int
    freezes: int
    max_freezes: int
    checkins: int
    today: date
    days: dict[date, DayState] = field(default_factory=dict)


@dataclass(frozen=True)
class BoardRow:
    """One row of a leaderboard card."""

    rank: int
    name: str
    figure: str
    is_me: bool = False


@dataclass(frozen=True)
class LeaderboardCard:
    """A leaderboard: its title, the top rows and the caller's own row (if ranked)."""

    title: str
    rows: tuple[BoardRow, ...]
    me: BoardRow | None = None
    subtitle: str = ""


@dataclass(frozen=True)
class RecapCard:
    """A weekly recap: check-ins on each of the seven days and the top streaks."""

    title: str
    per_day: tuple[tuple[date, int], ...]
    checkins: int
    members: int
    top_streaks: tuple[tuple[str, int], ...] = ()
    steps_finished: int = 0


class StepState(StrEnum):
    """How far a member is with one roadmap step, as a progress card draws it."""

    DONE = "done"
    SKIPPED = "skipped"
    IN_PROGRESS = "in progress"
    NOT_STARTED = "not started"


@dataclass(frozen=True)
class ProgressStep:
    """One roadmap step on a progress card: its plan number and the member's state."""

    number: int
    state: StepState


@dataclass(frozen=True)
class ProgressPhase:
    """One roadmap phase: its name and its steps in plan order."""

    name: str
    steps: tuple[ProgressStep, ...]

    @property
    def done(self) -> int:
        """Steps of the phase done or skipped (both count as finished)."""
        return sum(s.state in (StepState.DONE, StepState.SKIPPED) for s in self.steps)

    @property
    def total(self) -> int:
        """Steps in the phase."""
        return len(self.steps)


@dataclass(frozen=True)
class ProgressCard:
    """A member's roadmap progress: each phase as a row of its steps."""

    name: str
    phases: tuple[ProgressPhase, ...]
    current: str | None = None
