"""Members' local calendar days: which day an instant belongs to, and where days begin.

A group may shift its day boundary with a *day start* (``time(2, 0)`` makes each day run
from 02:00 to 02:00 local wall time), so a late-night check-in still counts for the evening
it belongs to. All day arithmetic is done on local ``date`` objects and converted to
instants through the time zone, never by adding 24 hours to an instant, because local days
are 23, 24 or 25 hours long (23.5 or 24.5 on Lord Howe Island).

Wall times that do not exist or exist twice are resolved as follows:

* a wall time inside a DST gap (spring forward) means the first instant after the gap;
* an ambiguous wall time (fall-back overlap) means its first occurrence (``fold=0``).

:func:`local_date` is defined through the same boundaries as :func:`day_bounds`, so an
instant always lies inside the bounds of its own local day.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Re-exported: the lookup lives in the core so every layer validates names the same way.
from bot.core.timezones import UnknownTimezone as UnknownTimezone
from bot.core.timezones import parse_timezone as parse_timezone

_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0)


def _check_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {at!r}")


def _check_day_start(day_start: time) -> None:
    if day_start.tzinfo is not None:
        raise ValueError("day_start is a local wall time and must not carry a tzinfo")


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    """The naive local wall time of an aware instant."""
    return instant.astimezone(tz).replace(tzinfo=None)


def resolve_wall_time(wall: datetime, tz: ZoneInfo) -> datetime:
    """The earliest instant whose local wall time is at or after ``wall`` (in UTC).

    This is the one DST policy of the project, shared by day boundaries and scheduled
    posts: a wall time in a spring-forward gap resolves to the moment the clocks jump, an
    ambiguous one (fall-back overlap) to its first occurrence.

    Exact, fold-0 instants are returned directly; wall times inside a gap are resolved by
    bisection over whole seconds, which is exact because tz transitions fall on whole
    seconds.
    """
    naive = wall.replace(tzinfo=None, fold=0)
    candidate = naive.replace(tzinfo=tz).astimezone(UTC)
    if _wall(candidate, tz) == naive:
        return candidate
    # In a gap the two folds use the offsets on either side of the transition, so they
    # bracket it: the earlier one's wall time is before the gap, the later one's after it.
    other = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    low = math.floor(min(candidate, other).timestamp())
    high = math.ceil(max(candidate, other).timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), tz) >= naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _day_start_instant(day: date, tz: ZoneInfo, day_start: time) -> datetime:
    return resolve_wall_time(datetime.combine(day, day_start.replace(fold=0)), tz)


def day_bounds(day: date, tz: ZoneInfo, day_start: time = _MIDNIGHT) -> tuple[datetime, datetime]:
    """The UTC instants where a local day starts (inclusive) and ends (exclusive).

    The day ``day`` runs from ``day_start`` on ``day`` to ``day_start`` on the next date,
    in local wall time. If that wall time falls in a DST gap, the boundary is the first
    instant after the gap; if it is ambiguous (fall-back overlap), the boundary is its
    first occurrence (``fold=0``).

    Args:
        day: The local calendar date.
        tz: The member's time zone.
        day_start: The group's day-start offset as a naive local wall time.

    Returns:
        ``(start, end)`` as aware UTC datetimes; ``end - start`` is the day's real length.

    Raises:
        ValueError: If ``day_start`` carries a tzinfo.
    """
    _check_day_start(day_start)
    return (
        _day_start_instant(day, tz, day_start),
        _day_start_instant(day + _ONE_DAY, tz, day_start),
    )


def local_date(at: datetime, tz: ZoneInfo, day_start: time = _MIDNIGHT) -> date:
    """The member's local calendar day for an instant.

    Args:
        at: An aware instant.
        tz: The member's time zone.
        day_start: The group's day-start offset; with ``time(2, 0)`` an instant at 01:30
            local wall time belongs to the previous date.

    Returns:
        The date ``d`` with ``day_bounds(d, tz, day_start)[0] <= at < [1]``.

    Raises:
        ValueError: If ``at`` is naive or ``day_start`` carries a tzinfo.
    """
    _check_aware(at)
    _check_day_start(day_start)
    wall = _wall(at, tz)
    day = wall.date()
    if wall.time() < day_start.replace(fold=0):
        day -= _ONE_DAY
    # The wall-clock guess is wrong only around overlaps and gaps that touch the day
    # start; the real boundaries settle it (and skip days that a zone jumped over).
    instant = at.astimezone(UTC)
    while instant < _day_start_instant(day, tz, day_start):
        day -= _ONE_DAY
    while instant >= _day_start_instant(day + _ONE_DAY, tz, day_start):
        day += _ONE_DAY
    return day


def time_left(at: datetime, tz: ZoneInfo, day_start: time = _MIDNIGHT) -> timedelta:
    """Real time from ``at`` until the member's current local day ends.

    Args:
        at: An aware instant.
        tz: The member's time zone.
        day_start: The group's day-start offset.

    Returns:
        A positive duration, at most the length of the local day.

    Raises:
        ValueError: If ``at`` is naive or ``day_start`` carries a tzinfo.
    """
    _, end = day_bounds(local_date(at, tz, day_start), tz, day_start)
    return end - at.astimezone(UTC)


def format_duration(duration: timedelta) -> str:
    """Render a duration for chat replies, e.g. ``"3 h 12 min"``, ``"45 min"``, ``"1 d 2 h"``.

    Shows the largest unit and the next smaller one, omitting a zero second unit, and
    rounds down to whole minutes (a countdown must never promise more time than is left).
    Durations under a minute render as ``"< 1 min"``, zero as ``"0 min"``.

    Args:
        duration: A non-negative duration.

    Returns:
        The short human-readable form.

    Raises:
        ValueError: If ``duration`` is negative.
    """
    if duration < timedelta(0):
        raise ValueError(f"duration must not be negative, got {duration}")
    minutes = duration // timedelta(minutes=1)
    if minutes == 0:
        return "< 1 min" if duration else "0 min"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
