"""The compact 30-day calendar of ``/streak``: what happened on each local day.

Which missed days a freeze bridged is not stored; it is found by replaying the member's
check-ins the way :func:`bot.streaks.replay` does and noting where freezes were spent.
Days a freeze *would* cover if the member checks in today are marked too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta

from bot.streaks import CheckInDay, StreakPolicy, StreakState, apply, apply_override

CHECKED, FROZEN, REST, EXCUSED, MISSED, OPEN, BLANK = "x", "*", "r", "e", "-", "?", "."
LEGEND = "x checked in · * freeze · r rest day · e excused · - missed · ? today (still open)"
_HEADER = "Mo Tu We Th Fr Sa Su"


def frozen_days(
    checkins: Iterable[CheckInDay],
    policy: StreakPolicy,
    excused: Collection[date],
    overrides: Iterable[tuple[date, int]] = (),
) -> set[date]:
    """The missed days that freezes bridged, replaying check-ins (and overrides) in order."""
    pending = sorted(overrides, key=lambda item: item[0])
    state = StreakState.empty()
    frozen: set[date] = set()
    previous: date | None = None
    for checkin in sorted(checkins, key=lambda item: item.day):
        if checkin.day == previous:
            continue
        previous = checkin.day
        while pending and pending[0][0] < checkin.day:
            as_of, run = pending.pop(0)
            state = apply_override(state, run, as_of)
        before = state
        state = apply(state, checkin, policy, excused)
        spent = state.freezes_used - before.freezes_used
        if spent and before.run_end is not None:
            gap = list(
                policy.unbridged_days(
                    before.run_end + timedelta(days=1), checkin.day, excused.__contains__
                )
            )
            # Days skipped by a change of time zone come first and are free; freezes
            # cover the rest of the gap.
            frozen.update(gap[-spent:])
    return frozen


def marks(
    today: date,
    checked: Collection[date],
    frozen: Collection[date],
    excused: Collection[date],
    policy: StreakPolicy,
    *,
    days: int = 30,
) -> dict[date, str]:
    """A mark for each of the ``days`` local dates ending today.

    Days before the member's first check-in are left blank.
    """
    found: dict[date, str] = {}
    first = min(checked, default=today)
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        if day < first and day not in excused:
            mark = BLANK
        elif day in checked:
            mark = CHECKED
        elif day in frozen:
            mark = FROZEN
        elif day in excused:
            mark = EXCUSED
        elif policy.is_rest_day(day):
            mark = REST
        elif day == today:
            mark = OPEN
        else:
            mark = MISSED
        found[day] = mark
    return found


def grid(day_marks: dict[date, str]) -> str:
    """The marks as a Monday-first week grid in a code block, with a legend."""
    first, last = min(day_marks), max(day_marks)
    start = first - timedelta(days=first.weekday())
    rows = [_HEADER]
    day = start
    while day <= last:
        cells = []
        for _ in range(7):
            cells.append(f"{day_marks.get(day, BLANK):>2}")
            day += timedelta(days=1)
        if any(cell.strip() != BLANK for cell in cells):  # weeks before the start: left out
            rows.append(" ".join(cells).rstrip())
    return "```\n" + "\n".join(rows) + "\n```\n" + LEGEND
