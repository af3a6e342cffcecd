"""A group's streak settings: freezes, rest weekdays, back-fill window and day start."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, slots=True)
class StreakPolicy:
    """How a group's streaks are counted.

    Attributes:
        freeze_every: Earn one freeze per this many consecutive counted days; 0 disables
            earning.
        max_freezes: The most freezes a member can hold at once.
        rest_weekdays: Weekdays (Monday=0 … Sunday=6) that never break a streak and never
            use a freeze. At least one weekday must remain a study day.
        backfill_days: How many days back a member may check in (0 = only today, 1 =
            today or yesterday).
        day_start: The local wall time at which a group day begins; ``time(2, 0)`` lets a
            check-in at 01:30 count for the previous date.
    """

    freeze_every: int = 7
    max_freezes: int = 2
    rest_weekdays: frozenset[int] = field(default_factory=frozenset)
    backfill_days: int = 0
    day_start: time = time(0)

    def __post_init__(self) -> None:
        for name in ("freeze_every", "max_freezes", "backfill_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        # Callers often build the set from config as a list or set; store it hashable.
        rest = frozenset(self.rest_weekdays)
        object.__setattr__(self, "rest_weekdays", rest)
        _check_weekdays(rest)
        if len(rest) == 7:
            raise ValueError("rest_weekdays must leave at least one study day")
        if not isinstance(self.day_start, time) or self.day_start.tzinfo is not None:
            raise ValueError(f"day_start must be a naive datetime.time, got {self.day_start!r}")

    def is_rest_day(self, day: date) -> bool:
        """Whether ``day`` falls on one of the group's rest weekdays."""
        return day.weekday() in self.rest_weekdays

    def unbridged_days(
        self, first: date, stop: date, excused: Callable[[date], bool]
    ) -> Iterator[date]:
        """Days in ``[first, stop)`` that are neither rest weekdays nor excused.

        Args:
            first: The first day to consider.
            stop: The day after the last one to consider.
            excused: Whether a day is excused (group amnesty or member-specific).

        Yields:
            The days, in order, that only a freeze could bridge.
        """
        day = first
        while day < stop:
            if not self.is_rest_day(day) and not excused(day):
                yield day
            day += timedelta(days=1)

    def allows_checkin_for(self, day: date, today: date) -> bool:
        """Whether a member whose local date is ``today`` may check in for ``day``.

        Args:
            day: The local date the check-in would count for.
            today: The member's current local date.

        Returns:
            True for today and for up to ``backfill_days`` days before it.
        """
        return 0 <= (today - day).days <= self.backfill_days


def _check_weekdays(days: Iterable[int]) -> None:
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise ValueError(f"weekdays are integers 0 (Monday) to 6 (Sunday), got {day!r}")


def _weekday(token: str) -> int:
    # Any prefix of three letters or more is unambiguous ("tues", "thurs", "satur").
    if len(token) >= 3:
        for index, name in enumerate(_WEEKDAYS):
            if name.startswith(token):
                return index
    raise ValueError(f"unknown weekday {token!r}; use e.g. mon, tue, … sun")


def parse_weekdays(text: str) -> frozenset[int]:
    """Parse a weekday list as typed in a settings command.

    Accepts comma- or space-separated day names or prefixes (``"sat,sun"``), inclusive
    ranges (``"mon-fri"``; ``"fri-mon"`` wraps over the weekend), and ``"none"`` or an empty
    string for no days. Case-insensitive.

    Args:
        text: The user's input.

    Returns:
        Weekday numbers, Monday=0.

    Raises:
        ValueError: On an unknown day name or malformed range.
    """
    normalised = re.sub(r"\s*-\s*", "-", text.strip().lower())
    if normalised in ("", "none"):
        return frozenset()
    days: set[int] = set()
    for part in re.split(r"[\s,]+", normalised):
        if not part:
            continue
        first, dash, last = part.partition("-")
        if not dash:
            days.add(_weekday(first))
            continue
        start, stop = _weekday(first), _weekday(last)
        span = (stop - start) % 7
        days.update((start + offset) % 7 for offset in range(span + 1))
    return frozenset(days)


def format_weekdays(days: Iterable[int]) -> str:
    """Render weekdays in the canonical form that :func:`parse_weekdays` reads back.

    Runs of three or more consecutive days (Monday to Sunday, no wrap) become ranges.

    Args:
        days: Weekday numbers, Monday=0.

    Returns:
        E.g. ``"mon-fri"``, ``"sat,sun"``, ``"mon,wed-fri"`` or ``"none"``.

    Raises:
        ValueError: On a number outside 0-6.
    """
    ordered = sorted(set(days))
    _check_weekdays(ordered)
    if not ordered:
        return "none"
    runs: list[list[int]] = []
    for day in ordered:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        names = [_WEEKDAYS[day][:3] for day in run]
        parts.append(f"{names[0]}-{names[-1]}" if len(run) >= 3 else ",".join(names))
    return ",".join(parts)
