"""One ``member_stats`` row as the code handles it: the engine's state plus board figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.streaks import StreakState

STATE_FIELDS = (
    "run",
    "run_end",
    "longest",
    "total",
    "freezes",
    "progress",
    "freezes_used",
    "last_at",
    "last_tz",
)

_EMPTY = StreakState()


@dataclass(frozen=True, slots=True)
class StatsRow:
    """One ``member_stats`` row: the engine's state plus the figures boards read.

    Attributes:
        member_id: The member.
        group_id: Their group.
        hidden: Copy of ``members.hidden`` (hidden members are never ranked).
        state: The streak engine's statistics.
        alive_until: The last local date on which ``state.run`` still displays.
        last_day: The latest check-in's local date.
        live_run: ``state.run`` while it displays on the group's board day, else 0.
        recent: Check-ins in the group's 30-day window.
        week_n: Check-ins in the calendar week of the group's board day.
        month_n: Check-ins in the calendar month of the group's board day.
        stored: Whether the row exists in the database (``False`` for a member's first).
    """

    member_id: int
    group_id: int
    hidden: bool = False
    state: StreakState = _EMPTY  # immutable, so one shared instance will do
    alive_until: date | None = None
    last_day: date | None = None
    live_run: int = 0
    recent: int = 0
    week_n: int = 0
    month_n: int = 0
    stored: bool = True

    def values(self) -> dict[str, Any]:
        """The row's column values (without the key and ``updated_at``)."""
        values: dict[str, Any] = {name: getattr(self.state, name) for name in STATE_FIELDS}
        values.update(
            hidden=self.hidden,
            alive_until=self.alive_until,
            last_day=self.last_day,
            live_run=self.live_run,
            recent=self.recent,
            week_n=self.week_n,
            month_n=self.month_n,
        )
        return values


def row_from(row: Any) -> StatsRow:
    """A :class:`StatsRow` from a ``member_stats`` result row."""
    state = StreakState(
        run=row.run,
        run_end=row.run_end,
        longest=row.longest,
        total=row.total,
        freezes=row.freezes,
        progress=row.progress,
        last_at=row.last_at,
        last_tz=row.last_tz,
        freezes_used=row.freezes_used,
    )
    return StatsRow(
        member_id=row.member_id,
        group_id=row.group_id,
        hidden=bool(row.hidden),
        state=state,
        alive_until=row.alive_until,
        last_day=row.last_day,
        live_run=row.live_run,
        recent=row.recent,
        week_n=row.week_n,
        month_n=row.month_n,
    )
