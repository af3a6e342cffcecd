"""Property tests for the streak rules over a matrix of awkward time zones and DST dates.

Day boundaries are checked against a brute-force reference (scan a 15-minute UTC grid for
the first instant whose wall time reaches the day start). That grid is exact here: every
offset and transition in the matrix, and every generated day start, is a multiple of
15 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.streaks import (
    CheckInDay,
    StreakPolicy,
    StreakState,
    apply,
    apply_override,
    current,
    day_bounds,
    local_date,
    replay,
    time_left,
)

ZONES = (
    "UTC",
    "Etc/GMT+12",  # UTC−12: the POSIX sign is inverted
    "Etc/GMT-14",  # UTC+14
    "Pacific/Kiritimati",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "Pacific/Marquesas",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "America/Santiago",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
)
ONE_DAY = timedelta(days=1)
GRID = timedelta(minutes=15)
FAST = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _transition_days() -> dict[str, list[date]]:
    """Per zone, the local dates around which it changes its UTC offset (2023-2026)."""
    found: dict[str, list[date]] = {}
    for name in ZONES:
        tz = ZoneInfo(name)
        days = found[name] = []
        day = date(2023, 1, 1)
        while day < date(2027, 1, 1):
            noon = datetime.combine(day, time(12), tzinfo=tz)
            if noon.utcoffset() != datetime.combine(day + ONE_DAY, time(12), tzinfo=tz).utcoffset():
                days += [day, day + ONE_DAY]
            day += ONE_DAY
    return found


TRANSITION_DAYS = _transition_days()
ALL_TRANSITION_DAYS = sorted({day for days in TRANSITION_DAYS.values() for day in days})
# Six zones of the matrix observe DST; each switches twice a year.
assert sum(1 for days in TRANSITION_DAYS.values() if len(days) >= 16) == 6

zones = st.sampled_from(ZONES).map(ZoneInfo)
quarter_hours = st.sampled_from([0, 15, 30, 45])
day_starts = st.one_of(
    st.just(time(0)),
    # Early-morning starts collide with DST gaps and overlaps (00:00-04:00 local).
    st.builds(time, st.integers(0, 4), quarter_hours),
    st.builds(time, st.integers(0, 23), quarter_hours),
)
any_days = st.dates(date(2020, 1, 1), date(2030, 12, 31))


def shortly_before(days: list[date]) -> st.SearchStrategy[date]:
    """A date up to ten days before one of ``days``, so a short window spans it."""
    return st.builds(
        lambda day, back: day - timedelta(days=back), st.sampled_from(days), st.integers(0, 10)
    )


first_days = st.one_of(shortly_before(ALL_TRANSITION_DAYS), any_days)


@st.composite
def zone_days(draw: st.DrawFn) -> tuple[ZoneInfo, date]:
    """A zone of the matrix and a date, usually just before one of its own DST switches."""
    name = draw(st.sampled_from(ZONES))
    near = TRANSITION_DAYS[name]
    day = draw(st.one_of(shortly_before(near), any_days) if near else any_days)
    return ZoneInfo(name), day


def _transition_instants() -> list[tuple[str, datetime]]:
    """Every (zone, UTC instant) at which a zone of the matrix changes offset (2023-2026)."""
    found: list[tuple[str, datetime]] = []
    for name, days in TRANSITION_DAYS.items():
        tz = ZoneInfo(name)
        for day in days[::2]:
            low = datetime.combine(day, time(12), tzinfo=tz).astimezone(UTC)
            high = datetime.combine(day + ONE_DAY, time(12), tzinfo=tz).astimezone(UTC)
            while high - low > GRID:
                middle = low + (high - low) // 2 // GRID * GRID
                if middle.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append((name, high))
    return found


TRANSITIONS = _transition_instants()


# How to pick an instant within a local day: a named edge or a random second.
picks = st.one_of(
    st.sampled_from(["start", "last", "wall 00:00:00", "wall 23:59:59"]),
    st.integers(0, 10**9),
)


def ref_day_start(day: date, tz: ZoneInfo, day_start: time) -> datetime:
    """Brute force: the first grid instant whose local wall time reaches the day start."""
    wall = datetime.combine(day, day_start)
    offset = wall.replace(tzinfo=tz).utcoffset()
    assert offset is not None
    instant = (wall - offset - timedelta(hours=3)).replace(tzinfo=UTC)
    assert instant.astimezone(tz).replace(tzinfo=None) < wall
    while instant.astimezone(tz).replace(tzinfo=None) < wall:
        instant += GRID
    return instant


def ref_bounds(day: date, tz: ZoneInfo, day_start: time) -> tuple[datetime, datetime]:
    return ref_day_start(day, tz, day_start), ref_day_start(day + ONE_DAY, tz, day_start)


def instant_in_day(
    day: date, tz: ZoneInfo, day_start: time, pick: str | int, after: datetime | None = None
) -> datetime | None:
    """An instant inside the reference bounds of ``day`` (and after ``after``, if given)."""
    start, end = ref_bounds(day, tz, day_start)
    if after is not None:
        start = max(start, after + timedelta(seconds=1))
    if start >= end:
        return None
    if isinstance(pick, int):
        return start + timedelta(seconds=pick % int((end - start).total_seconds()))
    if pick == "start":
        return start
    if pick == "last":
        return end - timedelta(seconds=1)
    wall_time = time(0) if pick == "wall 00:00:00" else time(23, 59, 59)
    for wall_day in (day, day + ONE_DAY):
        wall = datetime.combine(wall_day, wall_time)
        instant = wall.replace(tzinfo=tz).astimezone(UTC)
        exists = instant.astimezone(tz).replace(tzinfo=None) == wall
        if exists and start <= instant < end:
            return instant
    return start


def checkin(instant: datetime, tz: ZoneInfo, day_start: time) -> CheckInDay:
    """A check-in as the caller builds it: the local date computed from the instant."""
    return CheckInDay(local_date(instant, tz, day_start), instant, tz.key)


# --- local days -------------------------------------------------------------------------


@FAST
@given(zone_days(), st.integers(0, 12), day_starts)
def test_day_bounds_match_reference(
    zone_day: tuple[ZoneInfo, date], later: int, day_start: time
) -> None:
    tz, day = zone_day[0], zone_day[1] + timedelta(days=later)
    start, end = day_bounds(day, tz, day_start)
    assert (start, end) == ref_bounds(day, tz, day_start)
    assert timedelta(hours=23) <= end - start <= timedelta(hours=25)
    assert local_date(start, tz, day_start) == day
    assert local_date(end - timedelta(microseconds=1), tz, day_start) == day
    assert local_date(end, tz, day_start) == day + ONE_DAY


@FAST
@given(zone_days(), st.integers(0, 12), day_starts, st.integers(-7200, 7200))
def test_local_date_within_reference_bounds(
    zone_day: tuple[ZoneInfo, date], later: int, day_start: time, seconds: int
) -> None:
    # Instants near a day boundary, where gaps and overlaps make the wall clock mislead.
    tz, day = zone_day[0], zone_day[1] + timedelta(days=later)
    at = ref_day_start(day, tz, day_start) + timedelta(seconds=seconds)
    found = local_date(at, tz, day_start)
    start, end = ref_bounds(found, tz, day_start)
    assert start <= at < end
    if day_start == time(0):
        assert found == at.astimezone(tz).date()
    assert time_left(at, tz, day_start) == end - at


@FAST
@given(
    st.sampled_from(TRANSITIONS),
    st.booleans(),
    st.integers(-8, 8),
    st.one_of(st.integers(-7200, 7200), st.integers(0, 3600)),
)
def test_local_date_at_dst_transitions(
    transition: tuple[str, datetime], offset_before: bool, start_shift: int, seconds: int
) -> None:
    # Day starts at wall times around the switch, read with the offset from either side
    # of it, so they land in gaps and in both passes of overlaps.
    name, switch = transition
    tz = ZoneInfo(name)
    side = switch - GRID if offset_before else switch
    offset = side.astimezone(tz).utcoffset()
    assert offset is not None
    day_start = (switch.replace(tzinfo=None) + offset + start_shift * GRID).time()
    at = switch + timedelta(seconds=seconds)
    found = local_date(at, tz, day_start)
    bounds = day_bounds(found, tz, day_start)
    assert bounds == ref_bounds(found, tz, day_start)
    assert bounds[0] <= at < bounds[1]


# --- a member who checks in every day ---------------------------------------------------


@FAST
@given(
    zone_day=zone_days(),
    day_start=day_starts,
    daily_picks=st.lists(picks, min_size=1, max_size=21),
    freeze_every=st.integers(0, 7),
)
def test_daily_member_is_never_broken(
    zone_day: tuple[ZoneInfo, date],
    day_start: time,
    daily_picks: list[str | int],
    freeze_every: int,
) -> None:
    tz, first = zone_day
    policy = StreakPolicy(freeze_every=freeze_every, day_start=day_start)
    state = StreakState.empty()
    for offset, pick in enumerate(daily_picks):
        day = first + timedelta(days=offset)
        instant = instant_in_day(day, tz, day_start, pick)
        assert instant is not None
        made = checkin(instant, tz, day_start)
        assert made.day == day
        state = apply(state, made, policy)
    days = len(daily_picks)
    assert (state.run, state.longest, state.total, state.freezes_used) == (days, days, days, 0)
    last = first + timedelta(days=days - 1)
    today = current(state, last, policy)
    assert (today.run, today.checked_in_today, today.broken) == (days, True, False)
    tomorrow = current(state, last + ONE_DAY, policy)
    assert (tomorrow.run, tomorrow.at_risk, tomorrow.frozen_days) == (days, True, ())


@dataclass(frozen=True)
class Leg:
    """Part of a trip: a zone and how the member picks check-in times on each day there."""

    tz: ZoneInfo
    picks: list[str | int]
    arrive_next_day: bool


legs = st.builds(Leg, zones, st.lists(picks, min_size=1, max_size=8), st.booleans())


@FAST
@given(
    first=first_days,
    day_start=day_starts,
    home=legs,
    trip=st.lists(legs, min_size=1, max_size=2),
)
def test_switching_zones_never_breaks(
    first: date, day_start: time, home: Leg, trip: list[Leg]
) -> None:
    # No freezes: only the travel rule can keep the streak alive.
    policy = StreakPolicy(freeze_every=0, day_start=day_start)
    state = StreakState.empty()
    count = 0
    last_at: datetime | None = None
    last_day = first - ONE_DAY
    for leg in [home, *trip]:
        day = last_day + ONE_DAY
        if last_at is not None:
            # The member's new local day at the moment of the previous check-in: flying
            # east may have skipped days; if it is after the last day, check in on it (if
            # time is left) or the day after.
            arrival = local_date(last_at, leg.tz, day_start)
            if arrival > last_day:
                day = arrival + ONE_DAY if leg.arrive_next_day else arrival
        for pick in leg.picks:
            instant = instant_in_day(day, leg.tz, day_start, pick, after=last_at)
            if instant is None:  # no time left today after the previous check-in
                day += ONE_DAY
                instant = instant_in_day(day, leg.tz, day_start, pick, after=last_at)
                assert instant is not None
            made = checkin(instant, leg.tz, day_start)
            assert made.day == day
            state = apply(state, made, policy)
            count += 1
            assert state.run == count, f"broken at {made}"
            last_at, last_day = instant, day
            day += ONE_DAY
    assert (state.total, state.longest, state.freezes_used) == (count, count, 0)
    assert current(state, last_day, policy).run == count
    assert current(state, last_day + ONE_DAY, policy).run == count


# --- random histories -------------------------------------------------------------------


policies = st.builds(
    StreakPolicy,
    freeze_every=st.integers(0, 5),
    max_freezes=st.integers(0, 3),
    rest_weekdays=st.frozensets(st.integers(0, 6), max_size=6),
)


@st.composite
def histories(draw: st.DrawFn) -> tuple[date, list[date], frozenset[date]]:
    """A start date, check-in days (in window order) and excused days in a window."""
    start = draw(st.dates(date(2023, 1, 1), date(2026, 12, 31)))
    length = draw(st.integers(1, 60))
    window = [start + timedelta(days=i) for i in range(length)]
    attended = draw(st.lists(st.booleans(), min_size=length, max_size=length))
    excused = draw(st.frozensets(st.sampled_from(window), max_size=length // 4))
    return start, [d for d, went in zip(window, attended, strict=True) if went], excused


def reference(
    days: list[date], policy: StreakPolicy, excused: frozenset[date]
) -> tuple[int, int, int, int, int, int]:
    """Day-by-day walk: (run, longest, total, freezes, freezes_used, progress)."""
    run = longest = total = freezes = used = progress = 0
    if not days:
        return run, longest, total, freezes, used, progress
    attended = set(days)
    missed = 0  # days since the last check-in that need a freeze
    day = min(attended)
    while day <= max(attended):
        if day in attended:
            total += 1
            if run > 0 and missed <= freezes:
                freezes, used, run = freezes - missed, used + missed, run + 1
            else:
                run, progress = 1, 0
            missed = 0
            if policy.freeze_every > 0:
                progress += 1
                if progress == policy.freeze_every:
                    progress = 0
                    freezes = min(freezes + 1, policy.max_freezes)
            longest = max(longest, run)
        elif day.weekday() not in policy.rest_weekdays and day not in excused:
            missed += 1
        day += ONE_DAY
    return run, longest, total, freezes, used, progress


def noon_checkin(day: date, zone: str = "UTC") -> CheckInDay:
    return CheckInDay(day, datetime.combine(day, time(12), tzinfo=ZoneInfo(zone)), zone)


@FAST
@given(histories(), policies)
def test_replay_matches_reference(
    history: tuple[date, list[date], frozenset[date]], policy: StreakPolicy
) -> None:
    _, days, excused = history
    state = replay([noon_checkin(d) for d in days], policy, excused)
    got = (
        state.run,
        state.longest,
        state.total,
        state.freezes,
        state.freezes_used,
        state.progress,
    )
    assert got == reference(days, policy, excused)
    if policy.freeze_every == 0 and days:
        # Without freezes the run is the check-ins since the last unbridged missed day.
        missed = [
            d
            for d in (days[0] + timedelta(days=i) for i in range((days[-1] - days[0]).days))
            if d not in days and not policy.is_rest_day(d) and d not in excused
        ]
        assert state.run == sum(1 for d in days if not missed or d > missed[-1])


@FAST
@given(
    histories(),
    policies,
    st.lists(st.sampled_from(ZONES), min_size=1, max_size=3),
    st.randoms(use_true_random=False),
)
def test_replay_equals_sequential_apply(
    history: tuple[date, list[date], frozenset[date]],
    policy: StreakPolicy,
    zone_names: list[str],
    random: Random,
) -> None:
    _, days, excused = history
    checkins = [noon_checkin(d, random.choice(zone_names)) for d in days]
    # Back-fill and races: some days arrive twice (maybe from another zone), any order.
    extras = [
        noon_checkin(c.day, random.choice(zone_names))
        for c in random.sample(checkins, k=len(checkins) // 3)
    ]
    stored = checkins + extras
    random.shuffle(stored)
    kept: dict[date, CheckInDay] = {}
    for made in stored:
        kept.setdefault(made.day, made)
    sequential = StreakState.empty()
    for day in sorted(kept):
        sequential = apply(sequential, kept[day], policy, excused)
    assert replay(stored, policy, excused) == sequential
    assert replay(stored, policy, excused.__contains__) == sequential


@FAST
@given(
    histories(),
    policies,
    st.integers(0, 12),
    st.lists(st.sampled_from(ZONES), min_size=1, max_size=3),
    st.randoms(use_true_random=False),
)
def test_current_agrees_with_apply(
    history: tuple[date, list[date], frozenset[date]],
    policy: StreakPolicy,
    later: int,
    zone_names: list[str],
    random: Random,
) -> None:
    # What current() shows on a day must be what a check-in on that day would produce,
    # including after a change of time zone.
    _, days, excused = history
    assume(days)
    state = replay([noon_checkin(d, random.choice(zone_names)) for d in days], policy, excused)
    today, zone = days[-1] + timedelta(days=1 + later), random.choice(zone_names)
    shown = current(state, today, policy, excused, tz=zone)
    after = apply(state, noon_checkin(today, zone), policy, excused)
    assert not shown.checked_in_today
    assert shown.broken == (after.run == 1)
    if shown.broken:
        assert (shown.run, shown.at_risk, shown.freezes_left) == (0, False, state.freezes)
    else:
        assert (shown.run, after.run) == (state.run, state.run + 1)
        assert after.freezes_used - state.freezes_used == len(shown.frozen_days)
        assert shown.freezes_left == state.freezes - len(shown.frozen_days)
        assert shown.at_risk


@FAST
@given(
    histories(),
    policies,
    st.lists(st.tuples(st.integers(0, 65), st.integers(0, 30)), max_size=4),
)
def test_replay_interleaves_overrides_by_date(
    history: tuple[date, list[date], frozenset[date]],
    policy: StreakPolicy,
    raw_overrides: list[tuple[int, int]],
) -> None:
    start, days, excused = history
    overrides = [(start + timedelta(days=offset), run) for offset, run in raw_overrides]
    # Events sorted by date; on the same date check-ins (kind 0) precede overrides
    # (kind 1), and overrides keep their audit-log order (index).
    events = sorted(
        [(day, 0, index) for index, day in enumerate(days)]
        + [(as_of, 1, index) for index, (as_of, _) in enumerate(overrides)]
    )
    expected = StreakState.empty()
    for day, kind, index in events:
        if kind == 0:
            expected = apply(expected, noon_checkin(day), policy, excused)
        else:
            expected = apply_override(expected, overrides[index][1], day)
    got = replay([noon_checkin(d) for d in days], policy, excused, overrides)
    assert got == expected
    assert got.longest >= max([run for _, run in overrides], default=0)
