"""When posts are due: pure calendar arithmetic in the group's timezone.

The planner turns "09:00 Europe/Berlin, Monday to Friday" into UTC instants, one local
date at a time, with date arithmetic only (a local day may be 23, 24 or 25 hours long).
The timer, the start-up catch-up and ``/admin schedule`` all ask the planner, so they
agree on every fire time.

Daylight-saving policy (the same rule the streak day boundaries use):

* a post time inside a DST gap (clocks spring forward, e.g. 02:30 on the last Sunday of
  March in Europe/Berlin) fires once, at the first instant after the gap (03:00 local);
* a post time inside a DST overlap (clocks fall back, e.g. 02:30 on the last Sunday of
  October in Europe/Berlin, which happens twice) fires once, at its first occurrence
  (02:30 summer time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.scheduling.model import PostKind
from bot.streaks.localday import day_bounds, local_date, resolve_wall_time

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class PostPlan:
    """A recurring post: a local wall time on some weekdays in a timezone.

    Attributes:
        kind: What is posted.
        at: The local wall time (naive).
        weekdays: Weekdays it is posted on (Monday=0 … Sunday=6); empty means never.
        tz: The group's timezone.
    """

    kind: PostKind
    at: time
    weekdays: frozenset[int]
    tz: ZoneInfo


@dataclass(frozen=True)
class Occurrence:
    """One concrete post of a plan: its local date and the UTC instant it is due."""

    kind: PostKind
    day: date
    fire_at: datetime


def fire_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall time ``at`` on local date ``day`` (see the DST policy above).

    Args:
        day: The local date.
        at: A naive local wall time.
        tz: The timezone.

    Returns:
        An aware UTC datetime.
    """
    return resolve_wall_time(datetime.combine(day, at.replace(tzinfo=None, fold=0)), tz)


def occurrence_on(plan: PostPlan, day: date) -> Occurrence | None:
    """The plan's occurrence on ``day``, or ``None`` when it does not post that weekday."""
    if day.weekday() not in plan.weekdays:
        return None
    return Occurrence(plan.kind, day, fire_instant(day, plan.at, plan.tz))


def next_occurrence(plan: PostPlan, after: datetime) -> Occurrence | None:
    """The first occurrence due strictly after ``after``; ``None`` if the plan never posts."""
    if not plan.weekdays:
        return None
    # Start a day early: with a zone far from UTC the next fire may sit on the local
    # date before the one ``after`` shows in UTC.
    first = after.astimezone(plan.tz).date() - _ONE_DAY
    for offset in range(9):
        found = occurrence_on(plan, first + timedelta(days=offset))
        if found is not None and found.fire_at > after:
            return found
    return None


def latest_occurrence(plan: PostPlan, at_or_before: datetime) -> Occurrence | None:
    """The last occurrence due at or before ``at_or_before`` (within the past week)."""
    if not plan.weekdays:
        return None
    last = at_or_before.astimezone(plan.tz).date() + _ONE_DAY
    for offset in range(9):
        found = occurrence_on(plan, last - timedelta(days=offset))
        if found is not None and found.fire_at <= at_or_before:
            return found
    return None


def occurrences_between(plan: PostPlan, first_day: date, last_day: date) -> list[Occurrence]:
    """Every occurrence on local dates ``first_day`` … ``last_day`` inclusive, in order."""
    found: list[Occurrence] = []
    day = first_day
    while day <= last_day:
        occurrence = occurrence_on(plan, day)
        if occurrence is not None:
            found.append(occurrence)
        day += _ONE_DAY
    return found


def nudge_instant(day: date, tz: ZoneInfo, day_start: time, before: timedelta) -> datetime:
    """When a member whose local day is ``day`` gets the "streak at risk" reminder.

    That is ``before`` (real time, not wall time) before the member's local day ends,
    but never before the day starts.
    """
    start, end = day_bounds(day, tz, day_start)
    return max(start, end - before)


def next_nudge(tz: ZoneInfo, day_start: time, before: timedelta, after: datetime) -> datetime:
    """The first reminder instant strictly after ``after`` for a member in ``tz``."""
    today = local_date(after, tz, day_start)
    for offset in range(3):
        instant = nudge_instant(today + timedelta(days=offset), tz, day_start, before)
        if instant > after:
            return instant
    raise AssertionError("a reminder is due at least once every two local days")
