"""Pure progress rules: union without loss, pacing, the current step, the view."""

from __future__ import annotations

from datetime import date

from bot.content.store import ContentStore
from bot.progress.plan import (
    Status,
    StepRecord,
    planned_weeks,
    progress_view,
    union,
    union_all,
    weeks_spent,
)

D1, D2, D3 = date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 20)


def test_union_keeps_the_furthest_status_and_earliest_dates() -> None:
    started = StepRecord("databases", Status.IN_PROGRESS, started_on=D1, note="mine")
    done = StepRecord("databases", Status.DONE, started_on=D2, finished_on=D3, link="https://x.org")
    merged = union(started, done)
    assert merged == StepRecord(
        "databases", Status.DONE, started_on=D1, finished_on=D3, link="https://x.org", note="mine"
    )
    assert union(done, started) == merged  # order does not matter


def test_union_all_loses_no_step() -> None:
    left = {"git": StepRecord("git", Status.SKIPPED, finished_on=D1)}
    right = {"dsa": StepRecord("dsa", Status.IN_PROGRESS, started_on=D2)}
    assert set(union_all(left, right)) == {"git", "dsa"}


def test_pacing_counts_weeks_from_the_start() -> None:
    assert weeks_spent(None, D1) == 0
    assert weeks_spent(D1, D1) == 1
    assert weeks_spent(D1, date(2026, 3, 15)) == 2
    assert weeks_spent(D1, date(2026, 3, 16)) == 3


def test_planned_weeks_share_each_phase(content_store: ContentStore) -> None:
    weeks = planned_weeks(content_store.phases, content_store.steps)
    assert set(weeks) == {s.id for s in content_store.steps}
    assert all(1 <= w <= 13 for w in weeks.values())
    assert 48 <= sum(weeks.values()) <= 56  # about a year


def test_view_current_step_and_pacing(content_store: ContentStore) -> None:
    records = {
        "web-basics": StepRecord("web-basics", Status.DONE, finished_on=D1),
        "language": StepRecord("language", Status.IN_PROGRESS, started_on=D1),
    }
    view = progress_view(
        content_store.phases, content_store.steps, records, {"language": 2}, {"language": 12}, D3
    )
    assert view.current is not None and view.current.id == "language"
    assert view.position == "step 2 of 16"
    planned = planned_weeks(content_store.phases, content_store.steps)["language"]
    assert view.pacing == f"week 3 of {planned} planned"
    assert view.finished == 1 and view.total == 16
    assert view.current.challenges_done == 2
    assert "/roadmap done language" in view.next_action
    fresh = progress_view(content_store.phases, content_store.steps, {}, {}, {}, D1)
    assert fresh.current is not None and fresh.current.number == 1 and fresh.pacing is None
    assert "/roadmap start web-basics" in fresh.next_action
