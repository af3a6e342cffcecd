"""The per-group posting settings (``/admin settings KEY VALUE`` and ``/admin setup``).

Defaults come from :data:`bot.scheduling.config.DEFAULTS`: the challenge every day at
09:00, tips on Tuesday and Thursday at 12:00, the weekly recap on Sunday at 18:00,
reminders four hours before a member's day ends, missed posts caught up for six hours.
"""

from __future__ import annotations

from typing import Any

from bot.core.errors import UserError
from bot.core.settings_specs import SettingSpec, parse_bool, parse_clock_time, parse_int_range
from bot.scheduling.config import DEFAULTS
from bot.streaks.policy import format_weekdays, parse_weekdays

_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SHORTCUTS = {
    "daily": range(7),
    "everyday": range(7),
    "every day": range(7),
    "all": range(7),
    "weekdays": range(5),
    "weekends": (5, 6),
}


def parse_days(text: str) -> list[int]:
    """Parse ``mon-fri``, ``tue,thu``, ``daily``, ``weekdays`` or ``none`` into weekdays."""
    word = text.strip().lower()
    if word in _SHORTCUTS:
        return sorted(_SHORTCUTS[word])
    try:
        return sorted(parse_weekdays(word))
    except ValueError:
        raise UserError(
            f"`{text}` is not a list of days. Examples: `mon-fri`, `tue,thu`, `daily`, `none`."
        ) from None


def show_days(value: Any) -> str:
    """Show stored weekdays (``mon-fri``, ``daily``, ``none``)."""
    days = sorted(value) if isinstance(value, list) else []
    return "daily" if len(days) == 7 else format_weekdays(days)


def parse_weekday(text: str) -> int | None:
    """Parse one weekday (``sun``, ``Sunday``) or ``off``."""
    word = text.strip().lower()
    if word in {"off", "none", "no"}:
        return None
    days = parse_days(word) if len(word) >= 3 else []
    if len(days) != 1:
        raise UserError(f"`{text}` is not one weekday; use e.g. `sun`, or `off`.")
    return days[0]


def show_weekday(value: Any) -> str:
    """Show a stored weekday, or ``off``."""
    return _WEEKDAY_NAMES[value] if isinstance(value, int) and 0 <= value <= 6 else "off"


def _on_off(value: Any) -> str:
    return "on" if value else "off"


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "challenge.time",
        "When the daily challenge is posted (HH:MM, group timezone).",
        DEFAULTS["challenge.time"],
        parse_clock_time,
    ),
    SettingSpec(
        "challenge.days",
        "Days the challenge is posted: daily, mon-fri, tue,thu … or none.",
        DEFAULTS["challenge.days"],
        parse_days,
        show_days,
    ),
    SettingSpec(
        "tip.time", "When tips are posted (HH:MM).", DEFAULTS["tip.time"], parse_clock_time
    ),
    SettingSpec(
        "tip.days",
        "Days a resource tip is posted (e.g. tue,thu; none turns tips off).",
        DEFAULTS["tip.days"],
        parse_days,
        show_days,
    ),
    SettingSpec(
        "recap.day",
        "Weekday of the weekly recap post (e.g. sun), or off.",
        DEFAULTS["recap.day"],
        parse_weekday,
        show_weekday,
    ),
    SettingSpec(
        "recap.time",
        "When the weekly recap is posted (HH:MM).",
        DEFAULTS["recap.time"],
        parse_clock_time,
    ),
    SettingSpec(
        "reminder.hours_before",
        "Streak reminders go this many hours before a member's day ends (1-23).",
        DEFAULTS["reminder.hours_before"],
        parse_int_range(1, 23),
    ),
    SettingSpec(
        "posting.paused",
        "Whether scheduled posts and reminders are paused (/admin pause, /admin resume).",
        DEFAULTS["posting.paused"],
        parse_bool,
        _on_off,
    ),
    SettingSpec(
        "catchup.hours",
        "How many hours late a missed post may still go out (0-24); older ones are skipped.",
        DEFAULTS["catchup.hours"],
        parse_int_range(0, 24),
    ),
)
