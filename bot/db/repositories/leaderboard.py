"""Reading leaderboards over 100k members: top-N from indexes, ranks from score counts.

Boards are ``by`` one of ``streak`` (the current run), ``longest`` or ``checkins``, over a
``period`` of ``week`` (Monday to Sunday), ``month``, ``30d`` or ``all``, counted on the
group's local days. ``checkins`` counts the check-ins in the period; for ``streak`` and
``longest`` the period picks who is listed: members who checked in during it.

Scores live in ``member_stats`` (``live_run``, ``longest``, ``total``, and ``recent``,
``week_n``, ``month_n`` for the check-ins in the board day's 30 days, week and month). A
page comes from the board's head, its first 250-500 places kept in order in ``board_top``
(:mod:`bot.db.repositories.board_top`), so a top-N reads N entries; a page beyond the head
reads the group's ``member_stats`` rows.
Ranks and board sizes are sums over ``board_counts`` (see
:mod:`bot.db.repositories.board_figures`; :mod:`bot.db.repositories.board_roll` moves the
day-dependent figures to a new group day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table, case, func, select
from sqlalchemy.sql.expression import ColumnElement

from bot.db.models import BoardCount, CheckIn, MemberStats
from bot.db.repositories import board_top
from bot.db.repositories.board_figures import NO_DAY, period_start
from bot.db.repositories.checkins import Executor

BY = ("streak", "longest", "checkins", "consistency", "steps")
PERIODS = ("week", "month", "30d", "all")
# Boards filtered by activity (streak/longest over a period) are read in one of two ways.
# With at most this many members active in the period (Monday morning, for "this week"),
# from their check-ins in the period (at most ~31 per member) by key. Otherwise the head is
# read from the top, skipping idle members, until the page is full: that costs the page
# plus the idle members who score higher than it, which the board's top scorers (the most
# regular members, so nearly always active) keep small.
ACTIVE_SCAN_MAX = 300

_STATS: Table = MemberStats.__table__  # type: ignore[assignment]
_HIST: Table = BoardCount.__table__  # type: ignore[assignment]
_CHECKINS: Table = CheckIn.__table__  # type: ignore[assignment]
_CHECKIN_COLUMNS = {"week": "week_n", "month": "month_n", "30d": "recent", "all": "total"}
_CHECKIN_BOARDS = {"week": "week", "month": "month", "30d": "recent", "all": "total"}


# --- reading a board ---------------------------------------------------------------------


@dataclass(frozen=True)
class BoardSpec:
    """Which board: the group, ``by``, ``period`` and the group's local date."""

    group_id: int
    by: str
    period: str
    today: date

    def __post_init__(self) -> None:
        if self.by not in BY or self.period not in PERIODS:
            raise ValueError(f"unknown board {self.by}/{self.period}")
        if self.by == "consistency" and self.period != "30d":
            # Check-in days in the last 30: the 30-day check-ins board, shown as "24/30".
            object.__setattr__(self, "period", "30d")
        if self.by == "steps" and self.period != "all":
            object.__setattr__(self, "period", "all")

    @property
    def start(self) -> date | None:
        """The period's first day (``None`` for ``all``)."""
        return period_start(self.period, self.today)

    @property
    def activity_filtered(self) -> bool:
        """Whether the period filters members by their latest check-in day."""
        return self.by in ("streak", "longest") and self.period != "all"

    def score_column(self) -> Any:
        """The ``member_stats`` column holding the score."""
        if self.by == "streak":
            return _STATS.c.live_run
        if self.by == "longest":
            return _STATS.c.longest
        return _STATS.c[_CHECKIN_COLUMNS[self.period]]  # checkins, consistency

    def histogram_filter(self) -> ColumnElement[bool]:
        """The ``board_counts`` rows this board's members are counted in."""
        where = _HIST.c.group_id == self.group_id
        if self.by in ("checkins", "consistency"):
            board = _CHECKIN_BOARDS[self.period]
            return where & (_HIST.c.board == board) & (_HIST.c.day == NO_DAY)
        if self.by == "longest" and self.period == "all":
            return where & (_HIST.c.board == "longest_all") & (_HIST.c.day == NO_DAY)
        where = where & (_HIST.c.board == self.by)
        start = self.start
        return where if start is None else where & (_HIST.c.day >= start)


@dataclass(frozen=True)
class Standing:
    """A member's place on a board: ``rank`` is ``None`` when they are not listed."""

    score: int
    rank: int | None
    hidden: bool = False


@dataclass(frozen=True)
class BoardPage:
    """One page of a board: ``(member_id, score)`` entries, the board's size, the caller."""

    entries: list[tuple[int, int]]
    size: int
    me: Standing | None


async def read_board(
    db: Executor, spec: BoardSpec, member_id: int | None, *, limit: int = 10, offset: int = 0
) -> BoardPage:
    """A page of a board and the caller's standing (figures must be rolled to ``today``).

    Two queries: the caller's figures with the board's size and the members above them
    (sums over ``board_counts``), then the page from the board's head. The ``steps``
    board reads ``member_progress`` the same way (:mod:`.steps_board`).
    """
    if spec.by == "steps":
        return await _steps_board(db, spec, member_id, limit, offset)
    mine = _mine(spec, -1 if member_id is None else member_id)
    # A caller who is not listed still gets a threshold; their rank is simply not shown.
    threshold = func.coalesce(mine[0], 2**31 - 1)
    query = select(
        *mine,
        func.coalesce(func.sum(_HIST.c.members), 0),
        func.coalesce(func.sum(case((_HIST.c.score > threshold, _HIST.c.members), else_=0)), 0),
    ).where(spec.histogram_filter())
    score, hidden, last_day, size, above = (await db.execute(query)).one()
    size = int(size)
    entries = await _top(db, spec, size, limit, offset) if offset < size else []
    me = None
    if member_id is not None and score is not None:
        start = spec.start
        active = not spec.activity_filtered or (
            start is not None and last_day is not None and last_day >= start
        )
        listed = not hidden and score > 0 and active
        me = Standing(int(score), int(above) + 1 if listed else None, hidden=bool(hidden))
    return BoardPage(entries, size, me)


def _mine(spec: BoardSpec, member_id: int) -> tuple[Any, Any, Any]:
    """Scalar subqueries: the member's score, hidden flag and latest check-in day."""
    row = _STATS.c.member_id == member_id
    return (
        select(spec.score_column()).where(row).scalar_subquery(),
        select(_STATS.c.hidden).where(row).scalar_subquery(),
        select(_STATS.c.last_day).where(row).scalar_subquery(),
    )


def head_board(spec: BoardSpec) -> str:
    """The ``board_top`` head a board's pages come from."""
    if spec.by in ("streak", "longest"):
        return spec.by
    return _CHECKIN_BOARDS[spec.period]  # checkins, consistency


async def _top(
    db: Executor, spec: BoardSpec, size: int, limit: int, offset: int
) -> list[tuple[int, int]]:
    score = spec.score_column()
    start = spec.start if spec.activity_filtered else None
    query = select(_STATS.c.member_id, score)
    if start is not None and size <= ACTIVE_SCAN_MAX:
        # Few active members: start from their check-ins in the period (a range of the
        # (group, date) index) and look each member up by key.
        active = select(_CHECKINS.c.member_id).where(
            _CHECKINS.c.group_id == spec.group_id, _CHECKINS.c.local_date >= start
        )
        query = query.where(_STATS.c.member_id.in_(active), _STATS.c.hidden.is_(False), score > 0)
    else:
        head = await board_top.page(db, spec.group_id, head_board(spec), limit, offset, since=start)
        if head is not None:
            return head
        # Beyond the head (or before its first build): the group's rows, sorted.
        query = query.where(
            _STATS.c.group_id == spec.group_id, _STATS.c.hidden.is_(False), score > 0
        )
        if start is not None:
            query = query.where(_STATS.c.last_day >= start)
    last = func.coalesce(_STATS.c.last_day, NO_DAY)
    query = query.order_by(score.desc(), last.desc(), _STATS.c.member_id.desc())
    rows = await db.execute(query.limit(limit).offset(offset))
    return [(int(member_id), int(value)) for member_id, value in rows.all()]


async def _steps_board(
    db: Executor, spec: BoardSpec, member_id: int | None, limit: int, offset: int
) -> BoardPage:
    from bot.db.repositories import steps_board

    score, rank, hidden, size = await steps_board.standing(db, spec.group_id, member_id)
    entries = await steps_board.top(db, spec.group_id, limit, offset) if offset < size else []
    me = Standing(score, rank, hidden=hidden) if member_id is not None else None
    return BoardPage(entries, size, me)


async def rank_of(db: Executor, spec: BoardSpec, score: int) -> int:
    """The rank a score has on a board: ``1 +`` the listed members with a higher score."""
    if spec.by == "steps":
        from bot.db.repositories import steps_board

        return await steps_board.rank_of(db, spec.group_id, score)
    query = select(func.coalesce(func.sum(_HIST.c.members), 0)).where(
        spec.histogram_filter(), _HIST.c.score > score
    )
    return 1 + int((await db.execute(query)).scalar_one())
