"""Fixed view models the card tests and the golden images are drawn from."""

from __future__ import annotations

from datetime import date, timedelta

from bot.cards import (
    BoardRow,
    DayState,
    LeaderboardCard,
    ProgressCard,
    ProgressPhase,
    RecapCard,
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
    )


def progress() -> ProgressCard:
    """Roadmap progress over six phases."""
    phases = (
        ProgressPhase("Foundations", 3, 3),
        ProgressPhase("Web basics", 2, 3),
        ProgressPhase("Databases", 1, 3),
        ProgressPhase("APIs", 0, 3),
        ProgressPhase("Caching and queues", 0, 2),
        ProgressPhase("Deploy", 0, 2),
    )
    return ProgressCard("Ann", phases)
