"""Pure bookkeeping: from a streak state to the stored figures, and what changed.

A member's stored figures are their ``member_stats`` row (:class:`StatsRow`).
:class:`Change` pairs the row before and after a write and derives the ``board_counts``
deltas, so every writer (the batching writer, back-fill, moderator repairs, privacy
changes) keeps the score counts exact the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.db.repositories.board_figures import HistKey, stats_keys, windows
from bot.db.repositories.stats import StatsRow
from bot.features.checkins.rules import alive_until
from bot.streaks import CheckInDay, StreakPolicy, StreakState, replay


def in_window(board_day: date | None, day: date) -> bool:
    """Whether a check-in on ``day`` is inside the 30-day window ending on ``board_day``."""
    if board_day is None:
        return False
    first, last = windows(board_day)[0]
    return first <= day <= last


def window_counts(board_day: date | None, days: Iterable[date]) -> tuple[int, int, int]:
    """How many of ``days`` fall in the board day's 30-day window, week and month."""
    if board_day is None:
        return 0, 0, 0
    (first, last), (week_first, week_last), (month_first, month_last) = windows(board_day)
    recent = week = month = 0
    for day in days:
        recent += first <= day <= last
        week += week_first <= day <= week_last
        month += month_first <= day <= month_last
    return recent, week, month


def stats_row(
    member_id: int,
    group_id: int,
    hidden: bool,
    state: StreakState,
    *,
    policy: StreakPolicy,
    excused: frozenset[date],
    board_day: date | None,
    last_day: date | None,
    recent: int,
    week_n: int = 0,
    month_n: int = 0,
) -> StatsRow:
    """The ``member_stats`` row for ``state``.

    Args:
        member_id: The member.
        group_id: Their group.
        hidden: Whether they hide from boards.
        state: Their streak statistics.
        policy: The group's rules (for ``alive_until``).
        excused: Days excused for them.
        board_day: The group day the board figures are kept for (``None``: not built yet;
            the first board view builds them).
        last_day: Their latest check-in day.
        recent: Their check-ins in the 30-day window ending on ``board_day``.
        week_n: Their check-ins in ``board_day``'s week (see :func:`window_counts`).
        month_n: Their check-ins in ``board_day``'s month.
    """
    alive = alive_until(state, policy, excused)
    shows = alive is not None and (board_day is None or alive >= board_day)
    return StatsRow(
        member_id=member_id,
        group_id=group_id,
        hidden=hidden,
        state=state,
        alive_until=alive,
        last_day=last_day,
        live_run=state.run if shows else 0,
        recent=recent,
        week_n=week_n,
        month_n=month_n,
    )


@dataclass(frozen=True)
class Change:
    """A member's stats row before and after a write.

    Attributes:
        before: The row before (``None`` or not ``stored`` if there was none).
        after: The row to store.
    """

    before: StatsRow | None
    after: StatsRow

    def add_deltas(self, into: dict[HistKey, int]) -> None:
        """Add what this change adds to and removes from the score counts to ``into``."""
        for key in stats_keys(self.after):
            into[key] = into.get(key, 0) + 1
        if self.before is not None:
            for key in stats_keys(self.before):
                into[key] = into.get(key, 0) - 1


def replayed_row(
    member_id: int,
    group_id: int,
    hidden: bool,
    history: Sequence[CheckInDay],
    overrides: Iterable[tuple[date, int]],
    *,
    policy: StreakPolicy,
    excused: frozenset[date],
    board_day: date | None,
) -> StatsRow:
    """The ``member_stats`` row a replay of the member's raw rows gives."""
    state = replay(history, policy, excused, overrides)
    recent, week, month = window_counts(board_day, (checkin.day for checkin in history))
    return stats_row(
        member_id,
        group_id,
        hidden,
        state,
        policy=policy,
        excused=excused,
        board_day=board_day,
        last_day=history[-1].day if history else None,
        recent=recent,
        week_n=week,
        month_n=month,
    )


def total_deltas(changes: Iterable[Change]) -> dict[HistKey, int]:
    """The score-count deltas of several changes, summed."""
    deltas: dict[HistKey, int] = {}
    for change in changes:
        change.add_deltas(deltas)
    return deltas
