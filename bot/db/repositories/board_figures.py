"""The figures leaderboards read, kept in step with the check-ins.

Every board's score is a ``member_stats`` column: ``live_run``,
``longest``, ``total``, and three counts over windows of the group's *board day* (the
group day the figures are kept for, in ``board_state``): ``recent`` (the 30 days ending
on it), ``week_n`` (its calendar week, Monday to Sunday) and ``month_n`` (its month).

``board_counts`` holds how many visible members have each score (for the boards that a
period filters by activity, per latest check-in day). A rank is ``1 +`` the members
above, and summing these few rows replaces counting up to 100,000 index entries (5-10 ms
on SQLite). Writers add :func:`add_deltas` in the same transaction as the check-ins;
:func:`rebuild` recounts from the rows (and rebuilds the boards' first places,
:mod:`bot.db.repositories.board_top`).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from sqlalchemy import Table, and_, delete, func, insert, literal, select, update

from bot.db.models import BoardCount, BoardState, CheckIn, MemberStats
from bot.db.repositories import board_top, bulk, postgres_bulk
from bot.db.repositories.checkins import Executor, dialect_name, upsert
from bot.db.repositories.stats import StatsRow
from bot.db.upsert import is_sqlite

NO_DAY = date(1970, 1, 1)
"""The ``board_counts.day`` of boards that have no day dimension."""
WINDOW_DAYS = 30

_STATS: Table = MemberStats.__table__  # type: ignore[assignment]
_HIST: Table = BoardCount.__table__  # type: ignore[assignment]
_STATE: Table = BoardState.__table__  # type: ignore[assignment]
_CHECKINS: Table = CheckIn.__table__  # type: ignore[assignment]

HistKey = tuple[int, str, date, int]
"""``(group_id, board, day, score)``: one ``board_counts`` row."""


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    """The first of ``day``'s month."""
    return day.replace(day=1)


@functools.lru_cache(maxsize=1024)
def windows(board_day: date) -> tuple[tuple[date, date], tuple[date, date], tuple[date, date]]:
    """The 30-day window, week and month of a board day, as inclusive date ranges.

    Cached: a batch of check-ins has one board day per group.
    """
    week = week_start(board_day)
    month = month_start(board_day)
    next_month = (month + timedelta(days=32)).replace(day=1)
    return (
        (board_day - timedelta(days=WINDOW_DAYS - 1), board_day),
        (week, week + timedelta(days=6)),
        (month, next_month - timedelta(days=1)),
    )


def count_periods(day: date) -> tuple[tuple[str, date], tuple[str, date]]:
    """The calendar week and month a check-in on ``day`` counts in."""
    return ("week", week_start(day)), ("month", month_start(day))


def period_start(period: str, today: date) -> date | None:
    """The first local date of ``period`` as of ``today`` (``None`` for ``all``)."""
    if period == "week":
        return week_start(today)
    if period == "month":
        return month_start(today)
    if period == "30d":
        return today - timedelta(days=WINDOW_DAYS - 1)
    if period == "all":
        return None
    raise ValueError(f"unknown period {period!r}")


# --- score counts -----------------------------------------------------------------------


def stats_keys(row: StatsRow) -> list[HistKey]:
    """The ``board_counts`` rows a stats row counts in (none while hidden)."""
    if row.hidden:
        return []
    group, last, state = row.group_id, row.last_day or NO_DAY, row.state
    keys: list[HistKey] = []
    if row.live_run > 0:
        keys.append((group, "streak", last, row.live_run))
    if state.longest > 0:
        keys.append((group, "longest", last, state.longest))
        keys.append((group, "longest_all", NO_DAY, state.longest))
    for board, score in (
        ("total", state.total),
        ("recent", row.recent),
        ("week", row.week_n),
        ("month", row.month_n),
    ):
        if score > 0:
            keys.append((group, board, NO_DAY, score))
    return keys


async def add_deltas(db: Executor, deltas: Mapping[HistKey, int]) -> None:
    """Add ``deltas`` to the score counts.

    Rows are written in key order, so concurrent writers never wait on each other in a
    cycle (PostgreSQL row locks).
    """
    ordered = [(*key, n) for key, n in sorted(deltas.items()) if n]
    if not ordered:
        return
    if is_sqlite(db):
        await bulk.executemany(
            db,
            "INSERT INTO board_counts (group_id, board, day, score, members) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, board, day, score) "
            "DO UPDATE SET members = members + excluded.members",
            ordered,
        )
        return
    if postgres_bulk.applies(db):
        await postgres_bulk.add_deltas(db, ordered)
        return
    names = ("group_id", "board", "day", "score", "members")
    statement = upsert(db, _HIST)
    statement = statement.on_conflict_do_update(
        index_elements=["group_id", "board", "day", "score"],
        set_={"members": _HIST.c.members + statement.excluded.members},
    )
    await db.execute(statement, [dict(zip(names, row, strict=True)) for row in ordered])


# --- the board day and recounts ---------------------------------------------------------


async def board_days(db: Executor, group_ids: Iterable[int]) -> dict[int, date | None]:
    """Each group's board day (``None`` until first built), share-locked on PostgreSQL.

    Writers read it after their first write, so on SQLite (one writer) and PostgreSQL
    (the share lock waits for a roll in progress) they and
    :func:`bot.db.repositories.board_roll.roll` agree on which check-ins the windowed
    counts already hold.
    """
    wanted = sorted(set(group_ids))
    if not wanted:
        return {}
    if postgres_bulk.applies(db):
        found: dict[int, date | None] = dict.fromkeys(wanted)
        found.update(await postgres_bulk.board_days(db, wanted))
        return found
    if is_sqlite(db) and len(wanted) < bulk.MAX_PARAMS:
        sql = "SELECT group_id, day FROM board_state WHERE group_id IN {0}"
        rows = await bulk.select_in(db, sql, wanted)
        return {**dict.fromkeys(wanted), **{g: bulk.parse_date(d) for g, d in rows}}
    query = select(_STATE.c.group_id, _STATE.c.day).where(_STATE.c.group_id.in_(wanted))
    if dialect_name(db) == "postgresql":
        query = query.with_for_update(read=True)
    found = dict.fromkeys(wanted)
    found.update({g: d for g, d in (await db.execute(query)).all()})
    return found


def count_between(first: date, last: date) -> object:
    """A correlated count of a ``member_stats`` row's check-ins from ``first`` to ``last``."""
    return (
        select(func.count())
        .where(_CHECKINS.c.member_id == _STATS.c.member_id, _CHECKINS.c.local_date >= first)
        .where(_CHECKINS.c.local_date <= last)
        .scalar_subquery()
    )


async def recount(db: Executor, group_id: int, column: str, first: date, last: date) -> None:
    """Set a windowed count (``recent``, ``week_n``, ``month_n``) of a group from its rows."""
    target = _STATS.c[column]
    await db.execute(
        update(_STATS).where(_STATS.c.group_id == group_id, target != 0).values({column: 0})
    )
    active = select(_CHECKINS.c.member_id).where(
        _CHECKINS.c.group_id == group_id, _CHECKINS.c.local_date.between(first, last)
    )
    await db.execute(
        update(_STATS)
        .where(_STATS.c.group_id == group_id, _STATS.c.member_id.in_(active))
        .values({column: count_between(first, last)})
    )


async def rebuild(db: Executor, group_id: int, today: date, *, periods: bool = True) -> None:
    """Recount a group's week/month counts (unless ``periods=False``), score counts and heads.

    Args:
        db: Session or connection (the caller's transaction).
        group_id: The group.
        today: Its board day.
        periods: Recount ``week_n`` and ``month_n`` from the check-ins too (after members
            moved between groups, or when the board day entered a new week or month).
    """
    if periods:
        _, week, month = windows(today)
        await recount(db, group_id, "week_n", *week)
        await recount(db, group_id, "month_n", *month)
    await db.execute(delete(_HIST).where(_HIST.c.group_id == group_id))
    visible = and_(_STATS.c.group_id == group_id, _STATS.c.hidden.is_(False))
    last = func.coalesce(_STATS.c.last_day, NO_DAY)
    for board, by_day, score in (
        ("streak", True, _STATS.c.live_run),
        ("longest", True, _STATS.c.longest),
        ("longest_all", False, _STATS.c.longest),
        ("total", False, _STATS.c.total),
        ("recent", False, _STATS.c.recent),
        ("week", False, _STATS.c.week_n),
        ("month", False, _STATS.c.month_n),
    ):
        day = last if by_day else literal(NO_DAY)
        source = select(literal(group_id), literal(board), day, score, func.count()).where(
            visible, score > 0
        )
        source = source.group_by(last, score) if by_day else source.group_by(score)
        await db.execute(
            insert(_HIST).from_select(["group_id", "board", "day", "score", "members"], source)
        )
    await board_top.rebuild(db, group_id)


async def histogram(db: Executor, group_id: int) -> Counter[HistKey]:
    """Every non-zero score count of a group (audits compare it with a rebuild)."""
    query = select(_HIST.c.group_id, _HIST.c.board, _HIST.c.day, _HIST.c.score, _HIST.c.members)
    rows = (await db.execute(query.where(_HIST.c.group_id == group_id))).all()
    return Counter({(g, b, d, s): n for g, b, d, s, n in rows if n})
