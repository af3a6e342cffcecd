"""The local-day rules, re-exported for older imports: they live in :mod:`bot.core.localday`.

The core owns "today" (the dispatcher's context, the scheduler and the streak rules all
ask the same functions), so the core never imports the streaks package.
"""

from __future__ import annotations

from bot.core.localday import (
    UnknownTimezone,
    day_bounds,
    format_duration,
    local_date,
    parse_timezone,
    resolve_wall_time,
    time_left,
)

__all__ = [
    "UnknownTimezone",
    "day_bounds",
    "format_duration",
    "local_date",
    "parse_timezone",
    "resolve_wall_time",
    "time_left",
]
