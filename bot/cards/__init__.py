"""Image cards: streak calendar, leaderboard, weekly recap and roadmap progress as PNGs.

Every render function is pure (a view model in, PNG bytes out, 1080 px wide) and uses the
bundled DejaVu Sans fonts, so the same data gives the same picture on every machine.
:func:`bot.cards.service.render_image` runs one off the event loop and never raises.
"""

from bot.cards.models import (
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

__all__ = [
    "BoardRow",
    "DayState",
    "LeaderboardCard",
    "ProgressCard",
    "ProgressPhase",
    "ProgressStep",
    "RecapCard",
    "StepState",
    "StreakCard",
]
