"""Fixed view models the card tests and the golden images are drawn from."""

from __future__ import annotations

from datetime import date, timedelta

from bot.cards import (
    BoardRow,
    DayState,
    LeaderboardCard,
    ProgressCard,
    ProgressPhase,
    ProgressStep,
    RecapCard,
    StepState,
    StreakCard,
)

TODAY = date(2026, 3, 4)  # a Wednesday

# A known history: the last ten days, newest last.
HISTORY = {
    TODAY - timedelta(days=9): DayState.CHECKED,
    TODAY - timedelta(days=8): DayState.MISSED,
    TODAY - timedelta(days=7): DayState.CHECKED,
    TODAY - timedelta(days=6): DayState.FROZEN,
    TODAY - timedelta(days=5): DayState.CHECKED,
    TODAY - timedelta(days=4): DayState.REST,
    TODAY - timedelta(days=3): DayState.REST,
    TODAY - timedelta(days=2): DayState.EXCUSED,
    TODAY - timedelta(days=1): DayState.CHECKED,
    TODAY: DayState.OPEN,
}


def streak() -> StreakCard:
    """Ann's streak with the known history."""
    return StreakCard("Ann", 4, 12, 1, 2, 40, TODAY, dict(HISTORY))


def leaderboard() -> LeaderboardCard:
    """A board of twelve, the caller ranked 12th (below the top ten)."""
    rows = tuple(BoardRow(i, f"member {i}", f"{30 - i} days") for i in range(1, 11))
    return LeaderboardCard(
        "Leaderboard · current streaks",
        rows,
        me=BoardRow(12, "you", "17 days", is_me=True),
        subtitle="all time",
    )


def recap() -> RecapCard:
    """A week of check-ins."""
    start = date(2026, 3, 2)
    counts = (5, 7, 3, 0, 6, 2, 4)
    return RecapCard(
        "Weekly recap · Mon 2 Mar – Sun 8 Mar",
        tuple((start + timedelta(days=i), n) for i, n in enumerate(counts)),
        checkins=27,
        members=8,
        top_streaks=(("Ann", 21), ("Bob", 9), ("Cleo", 3)),
        steps_finished=4,
    )


def progress() -> ProgressCard:
    """Roadmap progress over six phases, every step state present."""
    d, s, p, n = StepState.DONE, StepState.SKIPPED, StepState.IN_PROGRESS, StepState.NOT_STARTED
    plan = (
        ("Foundations", (d, s, d)),
        ("Web basics", (d, d, p)),
        ("Databases", (p, n, n)),
        ("APIs", (n, n, n)),
        ("Caching and queues", (n, n)),
        ("Deploy", (n, n)),
    )
    phases, number = [], 1
    for name, states in plan:
        steps = []
        for state in states:
            steps.append(ProgressStep(number, state))
            number += 1
        phases.append(ProgressPhase(name, tuple(steps)))
    return ProgressCard("Ann", tuple(phases), current="6. HTTP and REST")
