"""The planner: fire instants in the group's zone, DST gaps and overlaps, weekdays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.scheduling.model import PostKind
from bot.scheduling.planner import (
    PostPlan,
    fire_instant,
    latest_occurrence,
    next_nudge,
    next_occurrence,
    nudge_instant,
    occurrences_between,
)

BERLIN = ZoneInfo("Europe/Berlin")
EVERY_DAY = frozenset(range(7))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "at", "zone", "expected"),
    [
        # An ordinary day in winter (CET, UTC+1) and in summer (CEST, UTC+2).
        (date(2026, 3, 28), time(9, 0), "Europe/Berlin", utc(2026, 3, 28, 8, 0)),
        (date(2026, 3, 30), time(9, 0), "Europe/Berlin", utc(2026, 3, 30, 7, 0)),
        # Spring forward: 02:30 does not exist; it fires when the clocks jump (03:00 CEST).
        (date(2026, 3, 29), time(2, 30), "Europe/Berlin", utc(2026, 3, 29, 1, 0)),
        (date(2026, 3, 29), time(2, 0), "Europe/Berlin", utc(2026, 3, 29, 1, 0)),
        (date(2026, 3, 29), time(3, 0), "Europe/Berlin", utc(2026, 3, 29, 1, 0)),
        # Fall back: 02:30 happens twice; it fires at the first one (02:30 CEST).
        (date(2026, 10, 25), time(2, 30), "Europe/Berlin", utc(2026, 10, 25, 0, 30)),
        (date(2026, 10, 25), time(3, 0), "Europe/Berlin", utc(2026, 10, 25, 2, 0)),
        # New York springs forward at 02:00 local, two weeks before Europe.
        (date(2026, 3, 8), time(2, 15), "America/New_York", utc(2026, 3, 8, 7, 0)),
        # Lord Howe moves by 30 minutes.
        (date(2026, 10, 4), time(2, 15), "Australia/Lord_Howe", utc(2026, 10, 3, 15, 30)),
        # Far from UTC: the local date is not the UTC date.
        (date(2026, 3, 2), time(9, 0), "Pacific/Kiritimati", utc(2026, 3, 1, 19, 0)),
        (date(2026, 3, 2), time(23, 30), "Pacific/Pago_Pago", utc(2026, 3, 3, 10, 30)),
        (date(2026, 3, 2), time(9, 0), "Asia/Kathmandu", utc(2026, 3, 2, 3, 15)),
    ],
)
def test_fire_instant_follows_the_documented_policy(
    day: date, at: time, zone: str, expected: datetime
) -> None:
    assert fire_instant(day, at, ZoneInfo(zone)) == expected


def test_next_occurrence_skips_days_not_in_the_plan() -> None:
    plan = PostPlan(PostKind.TIP, time(12, 0), frozenset({1, 3}), BERLIN)  # tue, thu
    found = next_occurrence(plan, utc(2026, 3, 3, 10, 59))  # just before Tuesday 12:00 Berlin
    assert found is not None and found.day == date(2026, 3, 3)
    found = next_occurrence(plan, found.fire_at)  # strictly after: Thursday
    assert found is not None and found.day == date(2026, 3, 5)
    assert (
        next_occurrence(PostPlan(PostKind.TIP, time(12), frozenset(), BERLIN), utc(2026, 3, 3))
        is None
    )


def test_latest_occurrence_is_at_or_before() -> None:
    plan = PostPlan(PostKind.CHALLENGE, time(9, 0), EVERY_DAY, BERLIN)
    found = latest_occurrence(plan, utc(2026, 3, 3, 8, 0))  # exactly Tuesday 09:00 CET
    assert found is not None and found.day == date(2026, 3, 3)
    found = latest_occurrence(plan, utc(2026, 3, 3, 7, 59))
    assert found is not None and found.day == date(2026, 3, 2)


def test_each_day_around_both_transitions_fires_exactly_once() -> None:
    plan = PostPlan(PostKind.CHALLENGE, time(2, 30), EVERY_DAY, BERLIN)
    for first in (date(2026, 3, 26), date(2026, 10, 22)):
        walked = []
        cursor = datetime.combine(first, time(0), tzinfo=BERLIN)
        for _ in range(7):
            found = next_occurrence(plan, cursor)
            assert found is not None
            walked.append(found.day)
            cursor = found.fire_at
        assert walked == [first + timedelta(days=i) for i in range(7)]


@settings(max_examples=300, deadline=None)
@given(
    after=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    days=st.frozensets(st.integers(0, 6), min_size=1),
    zone=st.sampled_from(
        [
            "Europe/Berlin",
            "America/New_York",
            "Australia/Sydney",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
            "Pacific/Kiritimati",
            "Pacific/Pago_Pago",
            "UTC",
        ]
    ),
)
def test_next_occurrence_properties(
    after: datetime, hour: int, minute: int, days: frozenset[int], zone: str
) -> None:
    tz = ZoneInfo(zone)
    plan = PostPlan(PostKind.CHALLENGE, time(hour, minute), days, tz)
    found = next_occurrence(plan, after)
    assert found is not None
    assert after < found.fire_at <= after + timedelta(days=8)
    assert found.day.weekday() in days
    local = found.fire_at.astimezone(tz)
    # The wall time is the plan's, except inside a gap, where it is the end of the gap.
    assert local.date() == found.day
    if local.time() != plan.at:
        assert local.time() > plan.at
        assert (local - timedelta(hours=1)).astimezone(tz).time() < plan.at
    # No occurrence of the plan lies between ``after`` and the one found.
    earlier = occurrences_between(plan, found.day - timedelta(days=8), found.day)
    assert [o for o in earlier if after < o.fire_at < found.fire_at] == []


def test_nudge_is_hours_before_the_members_day_ends() -> None:
    # 4 h before midnight Berlin on a 23-hour day is still 20:00 local.
    nudge = nudge_instant(date(2026, 3, 29), BERLIN, time(0), timedelta(hours=4))
    assert nudge == utc(2026, 3, 29, 18, 0)
    # With a 02:00 day start the day ends at 02:00 the next morning.
    nudge = nudge_instant(date(2026, 3, 2), BERLIN, time(2), timedelta(hours=4))
    assert nudge == utc(2026, 3, 2, 21, 0)
    after = utc(2026, 3, 2, 21, 0)
    assert next_nudge(BERLIN, time(2), timedelta(hours=4), after) == utc(2026, 3, 3, 21, 0)
