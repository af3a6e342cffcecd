"""Moving a group's leaderboard figures to a new group day.

``member_stats.recent``/``week_n``/``month_n`` (check-ins in the 30-day window, week and
month of the board day) and ``live_run`` (0 once a run can no longer continue) depend on
the day; ``board_state`` stores the group day they are kept for. :func:`roll` moves them
when the group's local date has changed (the first board view of the day does it): the
30-day window slides (only members with check-ins on the days that entered or left it
change), a new week or month is recounted from the rows and the finished one is kept in
``checkin_counts``, broken runs leave the streak boards, and the score counts are
rebuilt, which also heals drift left by any writer that bypassed them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Date, Table, func, literal, or_, select, update

from bot.db.models import BoardState, CheckIn, CheckinCount, Member, MemberStats
from bot.db.repositories.board_figures import (
    WINDOW_DAYS,
    count_between,
    count_periods,
    rebuild,
    recount,
    windows,
)
from bot.db.repositories.checkins import Executor, upsert

_STATS: Table = MemberStats.__table__  # type: ignore[assignment]
_COUNTS: Table = CheckinCount.__table__  # type: ignore[assignment]
_STATE: Table = BoardState.__table__  # type: ignore[assignment]
_CHECKINS: Table = CheckIn.__table__  # type: ignore[assignment]
_MEMBERS: Table = Member.__table__  # type: ignore[assignment]


async def kept_days(db: Executor) -> dict[int, date | None]:
    """Every group whose boards were built once, with the group day its figures are kept for.

    Groups without a ``board_state`` row are left out (their first view builds them).
    """
    rows = await db.execute(select(BoardState.group_id, BoardState.day))
    return {row.group_id: row.day for row in rows}


async def roll(db: Executor, group_id: int, today: date, now: datetime) -> bool:
    """Bring a group's day-dependent figures to ``today`` if they are older.

    Cheap when nothing is due: one read.

    Returns:
        Whether anything was done.
    """
    current = (await db.execute(select(_STATE.c.day).where(_STATE.c.group_id == group_id))).first()
    if current is not None and current.day is not None and current.day >= today:
        return False
    # Take the row's lock (the write lock on SQLite) before deciding, then look again.
    await db.execute(
        upsert(db, _STATE)
        .values(group_id=group_id, day=None, updated_at=now)
        .on_conflict_do_nothing(index_elements=["group_id"])
    )
    await db.execute(update(_STATE).where(_STATE.c.group_id == group_id).values(updated_at=now))
    day = (await db.execute(select(_STATE.c.day).where(_STATE.c.group_id == group_id))).scalar()
    if day is not None and day >= today:
        return False
    await _move_window(db, group_id, day, today)
    await db.execute(
        update(_STATS)
        .where(
            _STATS.c.group_id == group_id,
            _STATS.c.live_run > 0,
            or_(_STATS.c.alive_until.is_(None), _STATS.c.alive_until < today),
        )
        .values(live_run=0)
    )
    new_periods = day is None or count_periods(day) != count_periods(today)
    if day is not None and new_periods:
        await _keep_history(db, group_id, day, today)
    await rebuild(db, group_id, today, periods=new_periods)
    await db.execute(update(_STATE).where(_STATE.c.group_id == group_id).values(day=today))
    return True


async def _move_window(db: Executor, group_id: int, day: date | None, today: date) -> None:
    first = today - timedelta(days=WINDOW_DAYS - 1)
    if day is None or (today - day).days >= WINDOW_DAYS:
        await recount(db, group_id, "recent", first, today)
        return
    # The window was [day-29, day]; it becomes [first, today].
    added = (day + timedelta(days=1), today)
    dropped = (day - timedelta(days=WINDOW_DAYS - 1), first - timedelta(days=1))
    touched = select(_CHECKINS.c.member_id).where(
        _CHECKINS.c.group_id == group_id,
        or_(
            _CHECKINS.c.local_date.between(*added),
            _CHECKINS.c.local_date.between(*dropped),
        ),
    )
    await db.execute(
        update(_STATS)
        .where(_STATS.c.group_id == group_id, _STATS.c.member_id.in_(touched))
        .values(recent=_STATS.c.recent + count_between(*added) - count_between(*dropped))
    )


async def _keep_history(db: Executor, group_id: int, day: date, today: date) -> None:
    """Store the per-member counts of the week and/or month that ``day`` was in."""
    _, week, month = windows(day)
    for (period, start), (first, last) in zip(count_periods(day), (week, month), strict=True):
        if (period, start) in count_periods(today):
            continue  # still current
        source = (
            select(
                _CHECKINS.c.member_id,
                literal(period),
                literal(start, Date),
                _CHECKINS.c.group_id,
                func.count(),
                _MEMBERS.c.hidden,
            )
            .join(_MEMBERS, _MEMBERS.c.id == _CHECKINS.c.member_id)
            .where(_CHECKINS.c.group_id == group_id, _CHECKINS.c.local_date.between(first, last))
            .group_by(_CHECKINS.c.member_id, _CHECKINS.c.group_id, _MEMBERS.c.hidden)
        )
        columns = ["member_id", "period", "start", "group_id", "checkins", "hidden"]
        statement = upsert(db, _COUNTS).from_select(columns, source)
        statement = statement.on_conflict_do_update(
            index_elements=["member_id", "period", "start"],
            set_={"checkins": statement.excluded.checkins, "hidden": statement.excluded.hidden},
        )
        await db.execute(statement)
