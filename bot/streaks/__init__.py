"""Pure streak rules: local days, group policy, and the streak engine.

Nothing in this package does I/O beyond reading the IANA time zone database, touches the
database, or imports a chat platform; the callers store :class:`StreakState` and the raw
:class:`CheckInDay` rows and feed them back in.
"""

from __future__ import annotations

from bot.streaks.engine import (
    CheckInDay,
    CurrentStreak,
    Excused,
    StreakState,
    apply,
    apply_override,
    current,
    replay,
)
from bot.streaks.localday import (
    UnknownTimezone,
    day_bounds,
    format_duration,
    local_date,
    parse_timezone,
    resolve_wall_time,
    time_left,
)
from bot.streaks.policy import StreakPolicy, format_weekdays, parse_weekdays

__all__ = [
    "CheckInDay",
    "CurrentStreak",
    "Excused",
    "StreakPolicy",
    "StreakState",
    "UnknownTimezone",
    "apply",
    "apply_override",
    "current",
    "day_bounds",
    "format_duration",
    "format_weekdays",
    "local_date",
    "parse_timezone",
    "parse_weekdays",
    "replay",
    "resolve_wall_time",
    "time_left",
]
