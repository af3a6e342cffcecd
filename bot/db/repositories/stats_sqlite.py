"""The check-in writer's hot path on SQLite: ``member_stats`` at the driver level.

See :mod:`bot.db.repositories.bulk` for why; :mod:`bot.db.repositories.stats` calls these
on SQLite and keeps the SQLAlchemy statements for PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from bot.db.repositories import bulk
from bot.db.repositories.checkins import Executor
from bot.db.repositories.stats_row import STATE_FIELDS, StatsRow
from bot.streaks import StreakState


async def load_rows(db: Executor, wanted: Iterable[int]) -> dict[int, StatsRow]:
    """Stats rows of these members; empty, not-``stored`` rows for members without one."""
    wanted = list(wanted)
    if not wanted:
        return {}
    driver = await bulk.driver_of(db)
    placeholders = ", ".join("?" * len(wanted))
    found_rows = await driver.execute_fetchall(
        f"SELECT m.id, m.group_id, m.hidden, {', '.join('s.' + c for c in _SQLITE_READ)} "
        "FROM members m LEFT JOIN member_stats s ON s.member_id = m.id "
        f"WHERE m.id IN ({placeholders})",
        tuple(wanted),
    )
    rows: dict[int, StatsRow] = {}
    for found in found_rows:
        member_id, group_id, member_hidden, *values = found
        if values[0] is None:  # no stats row yet
            rows[member_id] = StatsRow(member_id, group_id, bool(member_hidden), stored=False)
            continue
        run, run_end, longest, total, freezes, progress, used, last_at, last_tz = values[1:10]
        hidden, alive, last_day, live_run, recent, week_n, month_n = values[10:]
        state = StreakState(
            run=run,
            run_end=bulk.parse_date(run_end),
            longest=longest,
            total=total,
            freezes=freezes,
            progress=progress,
            last_at=bulk.parse_timestamp(last_at),
            last_tz=last_tz,
            freezes_used=used,
        )
        rows[member_id] = StatsRow(
            member_id,
            values[0],
            bool(hidden),
            state,
            bulk.parse_date(alive),
            bulk.parse_date(last_day),
            live_run,
            recent,
            week_n,
            month_n,
        )
    return rows


# Every stored column of a row besides its keys: the engine's state, then the board figures.
_COLUMNS = (
    *STATE_FIELDS,
    "hidden",
    "alive_until",
    "last_day",
    "live_run",
    "recent",
    "week_n",
    "month_n",
)
_SQLITE_READ = ("group_id", *_COLUMNS)
# The columns save_rows writes, in the order of _values (besides member_id and group_id).
_WRITE = ("updated_at", *_COLUMNS)
_UPDATE = f"UPDATE member_stats SET {', '.join(f'{n} = ?' for n in _WRITE)} WHERE member_id = ?"
_INSERT = (
    f"INSERT INTO member_stats ({', '.join(_WRITE)}, group_id, member_id) "
    f"VALUES ({', '.join('?' * (len(_WRITE) + 2))}) ON CONFLICT (member_id) DO NOTHING"
)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _values(row: StatsRow, updated_at: str) -> tuple[Any, ...]:
    """A row's ``_WRITE`` values as SQLAlchemy stores them on SQLite (see :mod:`.bulk`).

    Column by column with the known type: a generic per-value conversion was 15 % of
    the writer's main thread.
    """
    state = row.state
    last_at = state.last_at
    return (
        updated_at,
        state.run,
        None if state.run_end is None else state.run_end.isoformat(),
        state.longest,
        state.total,
        state.freezes,
        state.progress,
        state.freezes_used,
        None if last_at is None else bulk.timestamp(last_at),
        state.last_tz,
        1 if row.hidden else 0,
        _day(row.alive_until),
        _day(row.last_day),
        row.live_run,
        row.recent,
        row.week_n,
        row.month_n,
    )


async def save_rows(
    db: Executor,
    rows: Sequence[StatsRow],
    now: datetime,
    new: Collection[int] | None,
    moved: bool,
) -> None:
    """Store rows: UPDATE the stored ones, INSERT the others.

    Args:
        db: Session or connection.
        rows: The rows to store.
        now: Stored as ``updated_at``.
        new: Members known to have no row yet; ``None`` if unknown.
        moved: Whether ``group_id`` may have changed.
    """
    # An UPDATE is cheaper than an upsert for rows that exist (nearly all: a member has a
    # row from their first check-in on); rows the UPDATE missed are then inserted.
    # group_id is left out of the main UPDATE: assigning a foreign-key column makes SQLite
    # check it row by row (measured 4x the cost of the whole UPDATE); members that moved
    # to another group (linked spaces) get it by a separate, filtered UPDATE.
    updated_at = bulk.sqlite_value(now)
    known = set(new) if new is not None else set()
    inserts = [row for row in rows if row.member_id in known]
    updates = [row for row in rows if row.member_id not in known]
    driver = await bulk.driver_of(db)
    missed = False
    if updates:
        cursor = await driver.executemany(
            _UPDATE, [(*_values(row, updated_at), row.member_id) for row in updates]
        )
        missed = cursor.rowcount != len(updates)
        if moved:
            await driver.executemany(
                "UPDATE member_stats SET group_id = ? WHERE member_id = ? AND group_id != ?",
                [(row.group_id, row.member_id, row.group_id) for row in updates],
            )
    if inserts or missed:
        await driver.executemany(
            _INSERT,
            [
                (*_values(row, updated_at), row.group_id, row.member_id)
                for row in (rows if missed else inserts)
            ],
        )
