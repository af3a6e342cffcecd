"""Unit tests for the streak rules (bot.streaks.engine) and group policy (bot.streaks.policy)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.streaks import (
    CheckInDay,
    CurrentStreak,
    Excused,
    StreakPolicy,
    StreakState,
    apply,
    apply_override,
    current,
    format_weekdays,
    parse_weekdays,
    replay,
)

DEFAULT = StreakPolicy()
NO_FREEZES = StreakPolicy(freeze_every=0)
WEEKENDS_OFF = StreakPolicy(rest_weekdays=frozenset({5, 6}))
MON = date(2024, 1, 1)  # a Monday


def day(n: int) -> date:
    """The n-th day after MON (MON itself is day(0))."""
    return MON + timedelta(days=n)


def ci(on: date, zone: str = "UTC", hour: int = 12, minute: int = 0) -> CheckInDay:
    """A check-in made at the given local wall time on its own day."""
    at = datetime(on.year, on.month, on.day, hour, minute, tzinfo=ZoneInfo(zone))
    return CheckInDay(on, at, zone)


def run_days(
    days: Iterable[date], policy: StreakPolicy = DEFAULT, excused: Excused = frozenset()
) -> StreakState:
    state = StreakState.empty()
    for d in days:
        state = apply(state, ci(d), policy, excused)
    return state


def consecutive(count: int, start: int = 0) -> list[date]:
    return [day(start + i) for i in range(count)]


# --- basics -----------------------------------------------------------------------------


def test_first_checkin() -> None:
    state = apply(StreakState.empty(), ci(MON), DEFAULT)
    assert (state.run, state.run_end, state.longest, state.total) == (1, MON, 1, 1)
    assert (state.freezes, state.progress, state.freezes_used) == (0, 1, 0)
    assert state.last_tz == "UTC"
    assert state.last_at == datetime(2024, 1, 1, 12, tzinfo=UTC)


def test_consecutive_days_count_up() -> None:
    state = run_days(consecutive(5))
    assert (state.run, state.longest, state.total, state.run_end) == (5, 5, 5, day(4))


def test_apply_rejects_same_or_earlier_day() -> None:
    state = run_days(consecutive(3))
    for bad in (day(2), day(1)):
        with pytest.raises(ValueError, match="not after"):
            apply(state, ci(bad), DEFAULT)


def test_checkin_requires_aware_instant() -> None:
    with pytest.raises(ValueError):
        CheckInDay(MON, datetime(2024, 1, 1, 12), "UTC")


def test_checkin_instant_is_stored_in_utc() -> None:
    checkin = ci(MON, "Asia/Kathmandu", hour=5, minute=45)
    assert checkin.at == datetime(2024, 1, 1, 0, 0, tzinfo=UTC)
    assert checkin.at.tzinfo is UTC


def test_state_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        replace(StreakState.empty(), freezes=-1)


# --- freezes ----------------------------------------------------------------------------


def test_freeze_earned_at_seventh_day() -> None:
    assert run_days(consecutive(6)).freezes == 0
    state = run_days(consecutive(7))
    assert (state.freezes, state.progress) == (1, 0)
    assert run_days(consecutive(8)).progress == 1


def test_freezes_capped_at_max() -> None:
    assert run_days(consecutive(14)).freezes == 2
    state = run_days(consecutive(28))
    assert (state.freezes, state.progress, state.run) == (2, 0, 28)


def test_custom_freeze_rate_and_cap() -> None:
    policy = StreakPolicy(freeze_every=3, max_freezes=5)
    assert run_days(consecutive(15), policy).freezes == 5
    assert run_days(consecutive(18), policy).freezes == 5


def test_freeze_earning_disabled() -> None:
    state = run_days(consecutive(30), NO_FREEZES)
    assert (state.freezes, state.progress) == (0, 0)


def test_freeze_used_on_missed_day() -> None:
    state = run_days([*consecutive(7), day(8)])  # day(7) missed
    assert (state.run, state.freezes, state.freezes_used) == (8, 0, 1)
    assert state.progress == 1


def test_two_freezes_cover_two_missed_days() -> None:
    state = run_days([*consecutive(14), day(16)])
    assert (state.run, state.freezes, state.freezes_used) == (15, 0, 2)


def test_freezes_not_wasted_when_insufficient() -> None:
    state = run_days([*consecutive(14), day(17)])  # three missed, two held
    assert (state.run, state.freezes, state.freezes_used) == (1, 2, 0)
    assert (state.longest, state.total, state.progress) == (14, 15, 1)


def test_missed_day_without_freeze_restarts() -> None:
    state = run_days([*consecutive(3), day(4)])
    assert (state.run, state.longest, state.total) == (1, 3, 4)


def test_progress_resets_on_restart() -> None:
    state = run_days([*consecutive(6), day(10), day(11)])
    assert (state.run, state.progress, state.freezes) == (2, 2, 0)


# --- rest weekdays and excused days -----------------------------------------------------


def test_rest_weekdays_bridge_without_freeze() -> None:
    friday, monday = day(4), day(7)
    state = run_days([*consecutive(5), monday], WEEKENDS_OFF)
    assert (state.run, state.freezes_used) == (6, 0)
    assert friday.weekday() == 4


def test_rest_day_plus_missed_day_needs_freeze() -> None:
    tuesday = day(8)
    assert run_days([*consecutive(5), tuesday], WEEKENDS_OFF).run == 1
    state = run_days([*consecutive(7), tuesday], WEEKENDS_OFF)  # Mon..Sun earns a freeze
    assert (state.run, state.freezes, state.freezes_used) == (8, 0, 1)


def test_checkin_on_rest_day_counts() -> None:
    state = run_days(consecutive(7), WEEKENDS_OFF)
    assert (state.run, state.total) == (7, 7)


@pytest.mark.parametrize("as_callable", [False, True])
def test_excused_days_bridge_without_freeze(as_callable: bool) -> None:
    outage = frozenset({day(3), day(4)})
    excused = outage.__contains__ if as_callable else outage
    state = run_days([*consecutive(3), day(5)], DEFAULT, excused)
    assert (state.run, state.freezes_used) == (4, 0)


def test_excused_and_freeze_combine() -> None:
    state = run_days([*consecutive(7), day(9)], DEFAULT, frozenset({day(8)}))
    assert (state.run, state.freezes, state.freezes_used) == (8, 0, 1)


# --- time zone travel -------------------------------------------------------------------


def test_eastward_switch_bridges_skipped_day() -> None:
    # Monday 23:00 in Berlin is already Tuesday 07:00 in Tokyo: Tuesday was skipped.
    monday = ci(day(0), "Europe/Berlin", hour=23)
    wednesday = ci(day(2), "Asia/Tokyo", hour=9)
    state = apply(apply(StreakState.empty(), monday, NO_FREEZES), wednesday, NO_FREEZES)
    assert (state.run, state.freezes_used) == (2, 0)
    # Without the switch the same gap breaks the streak.
    stay = ci(day(2), "Europe/Berlin", hour=9)
    assert apply(apply(StreakState.empty(), monday, NO_FREEZES), stay, NO_FREEZES).run == 1


def test_date_line_switch_bridges_two_days() -> None:
    first = ci(day(0), "Etc/GMT+12", hour=23)  # UTC−12; already Wednesday 01:00 at UTC+14
    later = ci(day(3), "Etc/GMT-14", hour=8)
    state = apply(apply(StreakState.empty(), first, NO_FREEZES), later, NO_FREEZES)
    assert state.run == 2


def test_westward_switch_bridges_nothing() -> None:
    monday = ci(day(0), "Europe/Berlin", hour=23)
    wednesday = ci(day(2), "America/New_York", hour=9)
    state = apply(apply(StreakState.empty(), monday, NO_FREEZES), wednesday, NO_FREEZES)
    assert state.run == 1


def test_backfill_does_not_earn_travel_days() -> None:
    monday = ci(day(0))
    # Tuesday back-filled on Wednesday morning, then a switch to a zone with the same
    # offset: only the switch may bridge days, and it skipped none.
    tuesday = CheckInDay(day(1), datetime(2024, 1, 3, 8, tzinfo=UTC), "UTC")
    thursday = ci(day(3), "Europe/London")
    state = replay([monday, tuesday, thursday], NO_FREEZES)
    assert state.run == 1


def test_travel_uses_policy_day_start() -> None:
    # Tuesday 02:30 UTC is Tuesday 03:30 in Berlin (winter). With 04:00 days both belong
    # to Monday, so the switch skips nothing; with 03:00 days Berlin is already on Tuesday.
    at = datetime(2024, 1, 2, 2, 30, tzinfo=UTC)
    monday = CheckInDay(day(0), at, "UTC")
    wednesday = ci(day(2), "Europe/Berlin")
    runs = []
    for start in (time(4), time(3)):
        policy = StreakPolicy(freeze_every=0, day_start=start)
        runs.append(apply(apply(StreakState.empty(), monday, policy), wednesday, policy).run)
    assert runs == [1, 2]


# --- replay and back-fill ---------------------------------------------------------------


def test_backfill_via_replay_equals_apply_in_order() -> None:
    days = [day(0), day(1), day(3), day(2), day(4)]  # day(2) back-filled after day(3)
    checkins = [ci(d) for d in days]
    in_order = StreakState.empty()
    for checkin in sorted(checkins, key=lambda c: c.day):
        in_order = apply(in_order, checkin, DEFAULT)
    assert replay(checkins, DEFAULT) == in_order
    assert in_order.run == 5


def test_replay_ignores_duplicate_days_keeping_first() -> None:
    first, second = ci(day(0), "Europe/Berlin"), ci(day(0), "Asia/Tokyo")
    state = replay([first, second, ci(day(1), "Europe/Berlin")], DEFAULT)
    assert (state.run, state.total) == (2, 2)
    state = replay([first, second], DEFAULT)
    assert (state.last_tz, state.total) == ("Europe/Berlin", 1)


def test_replay_of_nothing_is_empty() -> None:
    assert replay([], DEFAULT) == StreakState.empty()


# --- overrides --------------------------------------------------------------------------


def test_apply_override() -> None:
    state = run_days(consecutive(3))
    overridden = apply_override(state, 40, day(2))
    assert (overridden.run, overridden.run_end, overridden.longest) == (40, day(2), 40)
    assert (overridden.total, overridden.freezes) == (state.total, state.freezes)
    lowered = apply_override(overridden, 1, day(2))
    assert (lowered.run, lowered.longest, lowered.progress) == (1, 40, 1)


def test_override_rejects_negative_run() -> None:
    with pytest.raises(ValueError):
        apply_override(StreakState.empty(), -1, MON)


def test_replay_applies_override_after_checkins_of_its_day() -> None:
    # A bug broke the streak on day(3); a moderator restores it as of day(3).
    checkins = [ci(d) for d in (day(0), day(1), day(2), day(4), day(5))]
    assert replay(checkins, NO_FREEZES).run == 2
    state = replay(checkins, NO_FREEZES, overrides=[(day(3), 4)])
    assert (state.run, state.longest, state.total) == (6, 6, 5)


def test_replay_override_on_checkin_day_wins() -> None:
    checkins = [ci(d) for d in consecutive(3)]
    state = replay(checkins, NO_FREEZES, overrides=[(day(1), 10)])
    assert state.run == 11  # override after day(1)'s check-in, then day(2)
    state = replay(checkins, NO_FREEZES, overrides=[(day(2), 10), (day(2), 7)])
    assert (state.run, state.longest) == (7, 10)  # same-day overrides in log order


def test_replay_override_after_last_checkin() -> None:
    state = replay([ci(MON)], DEFAULT, overrides=[(day(5), 9)])
    assert (state.run, state.run_end) == (9, day(5))


# --- current ----------------------------------------------------------------------------


def test_current_checked_in_today() -> None:
    state = run_days(consecutive(4))
    assert current(state, day(3), DEFAULT) == CurrentStreak(
        run=4, checked_in_today=True, freezes_left=0, frozen_days=(), at_risk=False, broken=False
    )


def test_current_yesterday_is_at_risk() -> None:
    state = run_days(consecutive(4))
    shown = current(state, day(4), DEFAULT)
    assert (shown.run, shown.checked_in_today) == (4, False)
    assert shown.at_risk and not shown.broken


def test_current_missed_day_without_freeze_is_broken() -> None:
    state = run_days(consecutive(4))
    shown = current(state, day(5), DEFAULT)
    assert (shown.run, shown.at_risk, shown.broken, shown.freezes_left) == (0, False, True, 0)


def test_current_frozen() -> None:
    state = run_days(consecutive(14))
    shown = current(state, day(16), DEFAULT)
    assert (shown.run, shown.freezes_left, shown.frozen_days) == (14, 0, (day(14), day(15)))
    assert shown.at_risk and not shown.broken
    broken = current(state, day(17), DEFAULT)
    assert (broken.run, broken.broken, broken.freezes_left, broken.frozen_days) == (0, True, 2, ())


def test_current_bridges_rest_and_excused_days() -> None:
    state = run_days(consecutive(5), WEEKENDS_OFF)  # Mon..Fri
    assert current(state, day(7), WEEKENDS_OFF).run == 5
    assert current(state, day(8), WEEKENDS_OFF).broken
    assert current(state, day(8), WEEKENDS_OFF, frozenset({day(7)})).run == 5


def test_current_after_westward_travel_counts_as_checked_in() -> None:
    state = run_days(consecutive(3))
    shown = current(state, day(1), DEFAULT)
    assert shown.checked_in_today and shown.run == 3


def test_current_bridges_days_skipped_by_travel() -> None:
    monday = ci(day(0), "Europe/Berlin", hour=23)  # Tuesday 07:00 in Tokyo
    state = apply(StreakState.empty(), monday, NO_FREEZES)
    assert current(state, day(2), NO_FREEZES).broken
    assert current(state, day(2), NO_FREEZES, tz="Europe/Berlin").broken
    shown = current(state, day(2), NO_FREEZES, tz="Asia/Tokyo")
    assert (shown.run, shown.broken, shown.frozen_days) == (1, False, ())


def test_unbridged_days() -> None:
    days = WEEKENDS_OFF.unbridged_days(day(3), day(10), {day(8)}.__contains__)
    assert list(days) == [day(3), day(4), day(7), day(9)]


def test_current_of_empty_state() -> None:
    shown = current(StreakState.empty(), MON, DEFAULT)
    assert shown == CurrentStreak(0, False, 0, (), at_risk=False, broken=False)


# --- policy -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"freeze_every": -1},
        {"max_freezes": -1},
        {"backfill_days": -1},
        {"freeze_every": True},
        {"rest_weekdays": frozenset({7})},
        {"rest_weekdays": frozenset(range(7))},
        {"day_start": time(2, tzinfo=UTC)},
    ],
)
def test_policy_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        StreakPolicy(**kwargs)  # type: ignore[arg-type]


def test_policy_coerces_rest_weekdays() -> None:
    policy = StreakPolicy(rest_weekdays=[5, 6])  # type: ignore[arg-type]
    assert policy.rest_weekdays == frozenset({5, 6})
    assert hash(policy)


def test_policy_backfill_window() -> None:
    policy = StreakPolicy(backfill_days=1)
    assert policy.allows_checkin_for(day(5), day(5))
    assert policy.allows_checkin_for(day(4), day(5))
    assert not policy.allows_checkin_for(day(3), day(5))
    assert not policy.allows_checkin_for(day(6), day(5))
    assert not DEFAULT.allows_checkin_for(day(4), day(5))


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("sat,sun", {5, 6}),
        ("Sat, Sun", {5, 6}),
        ("saturday sunday", {5, 6}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("mon - wed", {0, 1, 2}),
        ("fri-mon", {4, 5, 6, 0}),
        ("thurs", {3}),
        ("none", set()),
        ("", set()),
        ("sun-sun", {6}),
    ],
)
def test_parse_weekdays(text: str, days: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(days)


@pytest.mark.parametrize("text", ["funday", "mo", "mon-", "mon-tue-wed", "-fri"])
def test_parse_weekdays_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_weekdays(text)


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (set(), "none"),
        ({5, 6}, "sat,sun"),
        ({0, 1, 2, 3, 4}, "mon-fri"),
        ({0, 2, 3, 4}, "mon,wed-fri"),
        ({6, 0}, "mon,sun"),
    ],
)
def test_format_weekdays(days: set[int], text: str) -> None:
    assert format_weekdays(days) == text


def test_weekdays_round_trip() -> None:
    for mask in range(128):
        days = frozenset(d for d in range(7) if mask >> d & 1)
        assert parse_weekdays(format_weekdays(days)) == days


def test_format_weekdays_rejects_out_of_range() -> None:
    with pytest.raises(ValueError):
        format_weekdays({7})
