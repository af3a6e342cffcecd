"""The streak rules: fold a member's check-ins into the statistics the database keeps.

Everything here is pure. A check-in arrives with the local date it counts for (the caller
computes it with :func:`bot.streaks.localday.local_date`); :func:`apply` adds one check-in
to a :class:`StreakState`, :func:`replay` recomputes a state from all stored rows, and
:func:`current` tells what to display on a given local day.

Gap days between two check-ins are bridged, in this order of preference, by a time zone
switch that skipped them, a rest weekday, an excused day, or a freeze. Freezes are spent
only if they cover the whole gap, so a member whose streak breaks anyway keeps them.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import TypeAlias
from zoneinfo import ZoneInfo

from bot.streaks.localday import local_date
from bot.streaks.policy import StreakPolicy

Excused: TypeAlias = Callable[[date], bool] | Container[date]
"""Days that never break a streak and never use a freeze: a predicate or a set of dates."""

_ONE_DAY = timedelta(days=1)
_NO_DAYS: frozenset[date] = frozenset()


@dataclass(frozen=True, slots=True)
class CheckInDay:
    """One stored check-in.

    Attributes:
        day: The local date it counts for (may be before the date of ``at`` when
            back-filled).
        at: When it was made; converted to UTC on construction.
        tz: The IANA time zone name the member was in.
    """

    day: date
    at: datetime
    tz: str

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError(f"CheckInDay.at must be aware, got {self.at!r}")
        object.__setattr__(self, "at", self.at.astimezone(UTC))


@dataclass(frozen=True, slots=True)
class StreakState:
    """The denormalised streak statistics kept per member; the defaults are the empty state.

    Attributes:
        run: Length of the current run in counted days (0 before the first check-in).
        run_end: The last day the run covers, normally the latest check-in day.
        longest: The longest run ever.
        total: Number of distinct check-in days.
        freezes: Freezes held.
        progress: Counted days since the last freeze was earned.
        last_at: Instant of the latest applied check-in.
        last_tz: Time zone of the latest applied check-in.
        freezes_used: Freezes spent so far.
    """

    run: int = 0
    run_end: date | None = None
    longest: int = 0
    total: int = 0
    freezes: int = 0
    progress: int = 0
    last_at: datetime | None = None
    last_tz: str | None = None
    freezes_used: int = 0

    def __post_init__(self) -> None:
        # One comparison on the usual path: every check-in builds two of these.
        if (
            min(self.run, self.longest, self.total, self.freezes, self.progress, self.freezes_used)
            < 0
        ):
            for name in ("run", "longest", "total", "freezes", "progress", "freezes_used"):
                if getattr(self, name) < 0:
                    raise ValueError(f"StreakState.{name} must not be negative")

    @classmethod
    def empty(cls) -> StreakState:
        """The state of a member who has never checked in."""
        return cls()


@dataclass(frozen=True, slots=True)
class CurrentStreak:
    """What to show a member on a given local day.

    Attributes:
        run: The streak to display: the stored run if it can still be continued, else 0.
        checked_in_today: Whether today (or a later date) is already covered.
        freezes_left: Freezes held after those that ``frozen_days`` would spend.
        frozen_days: Missed days since the last check-in that a freeze would cover if the
            member checks in today; the freezes are spent at that check-in.
        at_risk: Not checked in today while a streak is running.
        broken: The stored run can no longer be continued.
    """

    run: int
    checked_in_today: bool
    freezes_left: int
    frozen_days: tuple[date, ...]
    at_risk: bool
    broken: bool


def _as_predicate(excused: Excused) -> Callable[[date], bool]:
    if callable(excused):
        return excused
    return lambda day: day in excused


def _freeze_days(
    first: date, stop: date, policy: StreakPolicy, excused: Excused, held: int
) -> tuple[date, ...] | None:
    """Days in ``[first, stop)`` that need a freeze, or None if more than ``held``."""
    needed = tuple(islice(policy.unbridged_days(first, stop, _as_predicate(excused)), held + 1))
    return None if len(needed) > held else needed


def _travel_skip(state: StreakState, tz: str | None, policy: StreakPolicy) -> int:
    """How many gap days a change of time zone to ``tz`` skipped, bridged for free."""
    last_at, last_tz, run_end = state.last_at, state.last_tz, state.run_end
    if tz is None or last_tz is None or last_at is None or run_end is None or tz == last_tz:
        return 0
    new_day = local_date(last_at, ZoneInfo(tz), policy.day_start)
    # Measured from the old zone's date of the same instant when that is later than the
    # run's end (a check-in made today for yesterday), so back-fill earns no free days.
    old_day = local_date(last_at, ZoneInfo(last_tz), policy.day_start)
    return max(0, (new_day - max(run_end, old_day)).days)


def apply(
    state: StreakState,
    checkin: CheckInDay,
    policy: StreakPolicy,
    excused: Excused = _NO_DAYS,
) -> StreakState:
    """Add a check-in for a day after the current run's end.

    Args:
        state: The member's statistics so far.
        checkin: The new check-in; ``checkin.day`` must be after ``state.run_end``.
        policy: The group's rules (its ``day_start`` is used for time zone switches).
        excused: Days that bridge a gap without a freeze.

    Returns:
        The new statistics: the run continues if every gap day is bridged, else restarts
        at 1 without spending freezes.

    Raises:
        ValueError: If ``checkin.day`` is not after ``state.run_end`` (back-fill: replay).
        zoneinfo.ZoneInfoNotFoundError: If a time zone name is unknown.
    """
    if state.run_end is not None and checkin.day <= state.run_end:
        raise ValueError(f"check-in for {checkin.day} is not after run end {state.run_end}")
    frozen: tuple[date, ...] | None = None
    if state.run > 0 and state.run_end is not None:
        first_gap_day = state.run_end + timedelta(days=1 + _travel_skip(state, checkin.tz, policy))
        frozen = _freeze_days(first_gap_day, checkin.day, policy, excused, state.freezes)
    if frozen is None:
        run, progress, freezes, used = 1, 0, state.freezes, state.freezes_used
    else:
        run, progress = state.run + 1, state.progress
        freezes, used = state.freezes - len(frozen), state.freezes_used + len(frozen)
    if policy.freeze_every:
        progress += 1
        if progress >= policy.freeze_every:
            progress = 0
            # A lowered cap must not confiscate freezes already held, so only ever add.
            if freezes < policy.max_freezes:
                freezes += 1
    else:
        progress = 0
    return StreakState(
        run=run,
        run_end=checkin.day,
        longest=max(state.longest, run),
        total=state.total + 1,
        freezes=freezes,
        progress=progress,
        last_at=checkin.at,
        last_tz=checkin.tz,
        freezes_used=used,
    )


def apply_override(state: StreakState, run: int, as_of: date) -> StreakState:
    """Set a member's run by moderator decision (e.g. to repair a bug's damage).

    Args:
        state: The member's statistics.
        run: The run length to set.
        as_of: The last day the set run covers; a later check-in on this day is a
            duplicate, so use yesterday if the member has not checked in today.

    Returns:
        The state with ``run`` and ``run_end`` replaced and ``longest`` raised if needed;
        ``progress`` is capped at ``run`` since it counts days of the current run.

    Raises:
        ValueError: If ``run`` is negative.
    """
    if run < 0:
        raise ValueError(f"run must not be negative, got {run}")
    return replace(
        state,
        run=run,
        run_end=as_of,
        longest=max(state.longest, run),
        progress=min(state.progress, run),
    )


def replay(
    checkins: Iterable[CheckInDay],
    policy: StreakPolicy,
    excused: Excused = _NO_DAYS,
    overrides: Iterable[tuple[date, int]] = (),
) -> StreakState:
    """Recompute a member's statistics from stored rows (back-fill, repairs, checks).

    Args:
        checkins: All the member's check-ins, in any order; for duplicate days the first
            one given is kept.
        policy: The group's rules.
        excused: Days that bridge a gap without a freeze.
        overrides: ``(as_of, run)`` moderator overrides in audit-log order; one dated
            ``d`` is applied after the check-ins of days up to and including ``d``.

    Returns:
        The statistics as if each check-in had been applied in day order.
    """
    is_excused = _as_predicate(excused)
    # sorted() is stable: same-day duplicates keep their given order, overrides theirs.
    pending = sorted(overrides, key=lambda override: override[0])
    state = StreakState.empty()
    next_override = 0
    previous_day: date | None = None
    for checkin in sorted(checkins, key=lambda checkin: checkin.day):
        if checkin.day == previous_day:
            continue
        previous_day = checkin.day
        while next_override < len(pending) and pending[next_override][0] < checkin.day:
            as_of, run = pending[next_override]
            state = apply_override(state, run, as_of)
            next_override += 1
        state = apply(state, checkin, policy, is_excused)
    for as_of, run in pending[next_override:]:
        state = apply_override(state, run, as_of)
    return state


def current(
    state: StreakState,
    today: date,
    policy: StreakPolicy,
    excused: Excused = _NO_DAYS,
    tz: str | None = None,
) -> CurrentStreak:
    """The streak to display on the member's local day ``today``.

    A stored run is shown while it can still be continued: if it ends today or yesterday,
    or if every day missed since is bridged by a time zone switch, rest weekdays, excused
    days or the freezes held. Otherwise 0 is shown, so nobody sees a stale number.

    Args:
        state: The member's statistics.
        today: The member's current local date.
        policy: The group's rules.
        excused: Days that bridge a gap without a freeze.
        tz: The member's current IANA zone, if known, so that days skipped by travel are
            bridged exactly as :func:`apply` will bridge them.

    Returns:
        The display values.
    """
    checked_in = state.run_end is not None and state.run_end >= today
    if state.run_end is None or state.run == 0:
        return CurrentStreak(0, checked_in, state.freezes, (), at_risk=False, broken=False)
    if state.run_end >= today - _ONE_DAY:
        return CurrentStreak(
            state.run, checked_in, state.freezes, (), at_risk=not checked_in, broken=False
        )
    first_gap_day = state.run_end + timedelta(days=1 + _travel_skip(state, tz, policy))
    frozen = _freeze_days(first_gap_day, today, policy, excused, state.freezes)
    if frozen is None:
        return CurrentStreak(0, False, state.freezes, (), at_risk=False, broken=True)
    return CurrentStreak(
        state.run, False, state.freezes - len(frozen), frozen, at_risk=True, broken=False
    )
