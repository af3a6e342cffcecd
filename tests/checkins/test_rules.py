"""The group's streak settings and ``alive_until`` against the engine's own ``current``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import UserError
from bot.features.checkins.rules import SETTINGS, alive_until, policy_from
from bot.streaks import StreakPolicy, StreakState, current

SPECS = {spec.key: spec for spec in SETTINGS}


def test_policy_defaults_and_stored_values() -> None:
    assert policy_from({}) == StreakPolicy()
    stored = {
        "streak.freeze_every": 3,
        "streak.max_freezes": 1,
        "streak.rest_days": [5, 6],
        "streak.backfill": "yesterday",
        "day_start": "02:00",
    }
    assert policy_from(stored) == StreakPolicy(
        freeze_every=3,
        max_freezes=1,
        rest_weekdays=frozenset({5, 6}),
        backfill_days=1,
        day_start=time(2),
    )


def test_a_broken_stored_value_falls_back_instead_of_breaking_checkins() -> None:
    policy = policy_from({"streak.rest_days": [0, 1, 2, 3, 4, 5, 6], "day_start": "03:00"})
    assert policy == StreakPolicy(day_start=time(3))
    assert policy_from({"day_start": "nonsense"}).day_start == time(0)


def test_setting_parsers_validate_with_clear_messages() -> None:
    assert SPECS["streak.rest_days"].parse("sat, sun") == [5, 6]
    assert SPECS["streak.rest_days"].parse("none") == []
    assert SPECS["streak.rest_days"].show([5, 6]) == "sat,sun"
    with pytest.raises(UserError, match="study day"):
        SPECS["streak.rest_days"].parse("mon-sun")
    with pytest.raises(UserError, match="sat,sun"):
        SPECS["streak.rest_days"].parse("caturday")
    with pytest.raises(UserError):
        SPECS["streak.max_freezes"].parse("9")
    assert SPECS["streak.backfill"].parse("Yesterday") == "yesterday"


START = date(2026, 3, 2)
states = st.builds(
    lambda run, end, freezes: StreakState(
        run=run,
        run_end=START + timedelta(days=end),
        longest=run,
        total=run,
        freezes=freezes,
        last_at=datetime(2026, 3, 2, tzinfo=UTC),
        last_tz="UTC",
    ),
    st.integers(1, 30),
    st.integers(0, 20),
    st.integers(0, 3),
)
policies = st.builds(
    lambda rest, freezes: StreakPolicy(max_freezes=freezes, rest_weekdays=rest),
    st.frozensets(st.integers(0, 6), max_size=4),
    st.integers(0, 3),
)
excused_sets = st.frozensets(
    st.integers(0, 40).map(lambda n: START + timedelta(days=n)), max_size=6
)


@settings(max_examples=300, deadline=None, database=None)
@given(state=states, policy=policies, excused=excused_sets)
def test_alive_until_is_the_last_day_current_shows_the_run(
    state: StreakState, policy: StreakPolicy, excused: frozenset[date]
) -> None:
    last = alive_until(state, policy, excused)
    assert last is not None and state.run_end is not None and last > state.run_end
    assert current(state, last, policy, excused).run == state.run
    assert current(state, last + timedelta(days=1), policy, excused).run == 0
    # Every day in between shows it too.
    day = state.run_end
    while day <= last:
        assert current(state, day, policy, excused).run == state.run
        day += timedelta(days=1)


def test_no_run_is_never_alive() -> None:
    assert alive_until(StreakState(), StreakPolicy()) is None
