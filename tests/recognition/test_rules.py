"""The pure recognition rules: the catalogue, parsing what moderators type, crossings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.recognition import (
    CATALOGUE,
    STREAK_LENGTHS,
    Figures,
    UnknownMilestone,
    crossed,
    parse_milestone,
)


def test_default_streak_lengths_are_the_issue_s() -> None:
    assert STREAK_LENGTHS == (3, 7, 14, 30, 50, 100, 200, 365)
    ids = [m.id for m in CATALOGUE]
    assert len(ids) == len(set(ids))
    assert {"first-step", "first-project", "first-phase"} <= set(ids)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("streak-7", "streak-7"),
        ("Streak 7", "streak-7"),
        ("7-day", "streak-7"),
        ("30 days", "streak-30"),
        ("checkins:50", "checkins-50"),
        ("check-ins 100", "checkins-100"),
        ("first-step", "first-step"),
    ],
)
def test_moderators_may_type_a_milestone_several_ways(typed: str, expected: str) -> None:
    assert parse_milestone(typed).id == expected


@pytest.mark.parametrize("typed", ["streak-8", "", "9-day", "gold", "checkins-3", "x" * 500])
def test_an_unknown_milestone_is_refused_with_the_list(typed: str) -> None:
    with pytest.raises(UnknownMilestone) as caught:
        parse_milestone(typed)
    assert "is not a milestone" in str(caught.value) and "streak-7" in str(caught.value)
    assert len(str(caught.value)) < 600


def test_crossing_up_earns_every_threshold_passed_and_down_earns_nothing() -> None:
    found = crossed(Figures(run=2, total=9), Figures(run=8, total=10))
    assert [m.id for m in found] == ["streak-3", "streak-7", "checkins-10"]
    assert crossed(Figures(run=30, total=40), Figures(run=1, total=40)) == []
    assert crossed(Figures(run=6), Figures(run=7), disabled={"streak-7"}) == []


@given(st.integers(0, 400), st.integers(0, 400), st.integers(0, 1200), st.integers(0, 1200))
def test_crossed_is_exactly_the_thresholds_between(a: int, b: int, t0: int, t1: int) -> None:
    found = {m.id for m in crossed(Figures(a, t0), Figures(b, t1))}
    expected = {f"streak-{n}" for n in STREAK_LENGTHS if a < n <= b}
    expected |= {m.id for m in CATALOGUE if m.id.startswith("checkins-") and t0 < m.threshold <= t1}
    assert found == expected
