"""The check-in writer's hot path on PostgreSQL, as driver-level statements for asyncpg.

Through SQLAlchemy Core a batch of 170 check-ins compiled about 700 bound parameters per
batch (an ``IN (…)`` of ids, multi-row ``VALUES`` for the upserts) and processed every
row's parameters in Python; that, not the server, bounded the writer (7k check-ins/s with
three lanes). Here each statement takes one array per column (``unnest($1::int[], …)``,
``= ANY($1::int[])``): the SQL text never changes with the batch size, so asyncpg's
prepared statement is reused and only binary-encodes the arrays. The statements are the
same as the Core ones in :mod:`~bot.db.repositories.checkins`, :mod:`.stats` and
:mod:`.board_figures` (``tests/checkins/test_postgres_bulk.py`` compares their rows on
random data); they go through ``exec_driver_sql``, so they run in the caller's transaction.

Rows are handed in the order the caller sorted them in (``unnest`` keeps array order), so
the lock order of :mod:`bot.features.checkins.recording` holds.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from bot.db.repositories import bulk
from bot.db.repositories.stats_row import StatsRow
from bot.db.upsert import Executor, dialect_name
from bot.streaks import StreakState

# Whether the repositories use these statements on PostgreSQL (tests switch it off to
# compare them with the Core statements they replace).
ENABLED = True

_CHECKIN_COLUMNS = (
    ("member_id", "int"),
    ("group_id", "int"),
    ("local_date", "date"),
    ("checked_at", "timestamptz"),
    ("timezone", "text"),
    ("platform", "text"),
    ("challenge_id", "text"),
    ("note", "text"),
    ("link", "text"),
)

# member_stats columns in StatsRow.values() order, after member_id, group_id, updated_at.
_STATS_COLUMNS = (
    ("run", "int"),
    ("run_end", "date"),
    ("longest", "int"),
    ("total", "int"),
    ("freezes", "int"),
    ("progress", "int"),
    ("freezes_used", "int"),
    ("last_at", "timestamptz"),
    ("last_tz", "text"),
    ("hidden", "bool"),
    ("alive_until", "date"),
    ("last_day", "date"),
    ("live_run", "int"),
    ("recent", "int"),
    ("week_n", "int"),
    ("month_n", "int"),
)
_STATS_NAMES = ", ".join(name for name, _ in _STATS_COLUMNS)


def _arrays(typed: Sequence[tuple[str, str]], first: int) -> str:
    """``$first::type[], …``: one typed array parameter per column."""
    return ", ".join(f"${i}::{t}[]" for i, (_, t) in enumerate(typed, first))


def _excluded(typed: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{name} = excluded.{name}" for name, _ in typed)


# The group comes from the member's row, not from the caller (see checkins.insert_new);
# ORDER BY keeps the rows in the caller's (lock) order through the join.
_CHECKIN_INPUT = tuple(column for column in _CHECKIN_COLUMNS if column[0] != "group_id")
_CHECKIN_PICK = ", ".join(
    "m.group_id" if name == "group_id" else f"u.{name}" for name, _ in _CHECKIN_COLUMNS
)
_INSERT_CHECKINS = (
    f"INSERT INTO checkins ({', '.join(n for n, _ in _CHECKIN_COLUMNS)}) "
    f"SELECT {_CHECKIN_PICK} "
    f"FROM unnest({_arrays(_CHECKIN_INPUT, 1)}) WITH ORDINALITY "
    f"AS u({', '.join(n for n, _ in _CHECKIN_INPUT)}, position) "
    "JOIN members m ON m.id = u.member_id ORDER BY u.position "
    "ON CONFLICT (member_id, local_date) DO NOTHING RETURNING member_id, local_date, group_id"
)
_STATS_VALUES = (
    f"unnest($1::int[], $2::int[], {_arrays(_STATS_COLUMNS, 4)}) "
    f"AS v(member_id, group_id, {_STATS_NAMES})"
)
_SAVE_STATS = (
    f"INSERT INTO member_stats (member_id, group_id, updated_at, {_STATS_NAMES}) "
    f"SELECT v.member_id, v.group_id, $3::timestamptz, "
    f"{', '.join('v.' + n for n, _ in _STATS_COLUMNS)} FROM {_STATS_VALUES} "
    "ON CONFLICT (member_id) DO UPDATE SET group_id = excluded.group_id, "
    f"updated_at = excluded.updated_at, {_excluded(_STATS_COLUMNS)}"
)
# New members' rows (their members row is locked: nobody else creates them meanwhile; a
# writer outside that protocol makes this fail, and the batch is retried, never lost).
_INSERT_STATS = (
    f"INSERT INTO member_stats (member_id, group_id, updated_at, {_STATS_NAMES}) "
    f"SELECT v.member_id, v.group_id, $3::timestamptz, "
    f"{', '.join('v.' + n for n, _ in _STATS_COLUMNS)} FROM {_STATS_VALUES}"
)
_UPDATE_STATS = (
    "UPDATE member_stats s SET group_id = v.group_id, updated_at = $3::timestamptz, "
    f"{', '.join(f'{n} = v.{n}' for n, _ in _STATS_COLUMNS)} FROM {_STATS_VALUES} "
    "WHERE s.member_id = v.member_id"
)
# The write lock on a member's figures (see bot.db.repositories.stats): FOR NO KEY UPDATE
# does not conflict with the FOR KEY SHARE of foreign-key checks on other writers' rows.
_LOCK_MEMBERS = (
    "SELECT id, group_id, hidden FROM members WHERE id = ANY($1::int[]) "
    "ORDER BY id FOR NO KEY UPDATE"
)
_LOAD_STATS = (
    f"SELECT member_id, group_id, {_STATS_NAMES} FROM member_stats "
    "WHERE member_id = ANY($1::int[]) ORDER BY member_id FOR UPDATE"
)
_ADD_DELTAS = (
    "INSERT INTO board_counts (group_id, board, day, score, members) "
    "SELECT * FROM unnest($1::int[], $2::text[], $3::date[], $4::int[], $5::int[]) "
    "ON CONFLICT (group_id, board, day, score) "
    "DO UPDATE SET members = board_counts.members + excluded.members"
)
_BOARD_DAYS = (
    "SELECT group_id, day FROM board_state WHERE group_id = ANY($1::int[]) "
    "ORDER BY group_id FOR SHARE"
)
_EXCUSES = (
    "SELECT group_id, member_id, day FROM excused_days WHERE group_id = ANY($1::int[]) "
    "AND (member_id IS NULL OR member_id = ANY($2::int[]))"
)


def columns(rows: Sequence[Sequence[Any]], width: int) -> tuple[list[Any], ...]:
    """Rows as one list per column (the arrays ``unnest`` takes)."""
    if not rows:
        return tuple([] for _ in range(width))
    return tuple(list(column) for column in zip(*rows, strict=True))


async def _run(db: Executor, sql: str, params: Sequence[Any]) -> list[Any]:
    connection = await bulk.connection_of(db)
    result = await connection.exec_driver_sql(sql, tuple(params))
    return list(result.all()) if result.returns_rows else []


async def insert_checkins(
    db: Executor, rows: Sequence[Sequence[Any]]
) -> dict[tuple[int, date], int]:
    """Insert ``checkins`` rows whose key is free; each inserted key's (member's) group.

    Rows are tuples of every column but ``group_id``, in column order; see
    :func:`bot.db.repositories.checkins.insert_new`.
    """
    found = await _run(db, _INSERT_CHECKINS, columns(rows, len(_CHECKIN_INPUT)))
    return {(member_id, day): group for member_id, day, group in found}


async def lock_members(db: Executor, member_ids: list[int]) -> dict[int, tuple[int, bool]]:
    """Lock the members' rows ``FOR NO KEY UPDATE`` in id order; each one's group and hidden."""
    found = await _run(db, _LOCK_MEMBERS, (member_ids,))
    return {member_id: (group_id, hidden) for member_id, group_id, hidden in found}


async def load_stats(db: Executor, member_ids: list[int]) -> dict[int, StatsRow]:
    """The members' stats rows, locked ``FOR UPDATE`` in member id order."""
    rows: dict[int, StatsRow] = {}
    for found in await _run(db, _LOAD_STATS, (member_ids,)):
        member_id, group_id, run, run_end, longest, total, freezes, progress, used = found[:9]
        last_at, last_tz, hidden, alive, last_day, live_run, recent, week_n, month_n = found[9:]
        state = StreakState(
            run=run,
            run_end=run_end,
            longest=longest,
            total=total,
            freezes=freezes,
            progress=progress,
            last_at=last_at,
            last_tz=last_tz,
            freezes_used=used,
        )
        rows[member_id] = StatsRow(
            member_id, group_id, hidden, state, alive, last_day, live_run, recent, week_n, month_n
        )
    return rows


async def save_stats(
    db: Executor, rows: Sequence[StatsRow], now: datetime, new: Collection[int] | None = None
) -> None:
    """Store ``member_stats`` rows (every column, ``updated_at`` = ``now``).

    ``new``: the members known to have no row (inserted); the others are updated. ``None``
    (unknown) upserts every row.
    """
    if new is None:
        await _save(db, _SAVE_STATS, rows, now)
        return
    inserts = [row for row in rows if row.member_id in new]
    updates = [row for row in rows if row.member_id not in new]
    if updates:
        await _save(db, _UPDATE_STATS, updates, now)
    if inserts:
        await _save(db, _INSERT_STATS, inserts, now)


async def _save(db: Executor, sql: str, rows: Sequence[StatsRow], now: datetime) -> None:
    values = [
        (
            row.member_id,
            row.group_id,
            row.state.run,
            row.state.run_end,
            row.state.longest,
            row.state.total,
            row.state.freezes,
            row.state.progress,
            row.state.freezes_used,
            row.state.last_at,
            row.state.last_tz,
            row.hidden,
            row.alive_until,
            row.last_day,
            row.live_run,
            row.recent,
            row.week_n,
            row.month_n,
        )
        for row in rows
    ]
    member_ids, group_ids, *rest = columns(values, 2 + len(_STATS_COLUMNS))
    await _run(db, sql, (member_ids, group_ids, now, *rest))


async def add_deltas(db: Executor, ordered: Sequence[tuple[int, str, date, int, int]]) -> None:
    """Add ``(group_id, board, day, score, members)`` deltas to ``board_counts``, in order."""
    await _run(db, _ADD_DELTAS, columns(ordered, 5))


async def board_days(db: Executor, group_ids: list[int]) -> dict[int, date | None]:
    """Each stored group's board day, share-locked."""
    return {group_id: day for group_id, day in await _run(db, _BOARD_DAYS, (group_ids,))}


async def excused_rows(
    db: Executor, group_ids: list[int], member_ids: list[int], since: date | None
) -> list[tuple[int, int | None, date]]:
    """``(group_id, member_id, day)`` of the groups' and members' excused days since ``since``."""
    sql = _EXCUSES if since is None else f"{_EXCUSES} AND day >= $3::date"
    params: tuple[Any, ...] = (
        (group_ids, member_ids) if since is None else (group_ids, member_ids, since)
    )
    return [(g, m, d) for g, m, d in await _run(db, sql, params)]


def applies(db: Executor) -> bool:
    """Whether ``db`` takes these statements (PostgreSQL, unless switched off)."""
    return ENABLED and dialect_name(db) == "postgresql"
