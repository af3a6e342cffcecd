"""The first few hundred places of every leaderboard, kept in order beside the scores.

A board lists a group's visible members with a score above 0 in the order ``(score,
last_day, member_id)``, highest first. Indexes on ``member_stats`` in that order would
answer every page, but each check-in would then move its member in six of them; with
members checking in in no particular order, a batch dirties nearly every page of every
index, which made them most of SQLite's work per check-in (issue 17). Instead,
``board_top`` keeps each board's *head*: the top ``KEEP`` to ``TRIM_AT`` entries, written
in the check-in's transaction, so boards stay exact and fresh; only pages beyond the head
read ``member_stats`` itself (:mod:`bot.db.repositories.leaderboard`).

The invariant, per group and board (``board_top_state``):

- every listed member with a key at or above ``floor`` has exactly their entry in the
  head, and no one else has one (``complete``: every listed member has; no ``floor``);
- so the head, in order, is the board's first ``len(head)`` places.

It survives any change of one member: their old entry leaves (it can only be in the head
if it was at or above the floor), their new one enters if it is at or above the floor. Removing
entries never breaks it; the head can only shrink below ``KEEP`` through members whose
score fell (hidden, repaired, moved) and is refilled by :func:`rebuild` at the group's next
day roll. When a head passes ``TRIM_AT``, it is cut back to ``KEEP`` and the floor rises to
its last entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, text

from bot.db.repositories import bulk
from bot.db.repositories.checkins import Executor, dialect_name
from bot.db.repositories.stats_row import StatsRow
from bot.db.upsert import is_sqlite

NO_DAY = date(1970, 1, 1)
"""The ``last_day`` of an entry whose member has none (ranks below every real day)."""
KEEP = 250
"""Entries a head is cut back to: ten pages of the longest page (25)."""
TRIM_AT = 2 * KEEP
"""A head longer than this is cut back to ``KEEP`` (so not every batch cuts)."""

BOARDS = ("streak", "longest", "total", "recent", "week", "month")
"""The boards with a head, named as in ``board_counts``."""
COLUMNS = {
    "streak": "live_run",
    "longest": "longest",
    "total": "total",
    "recent": "recent",
    "week": "week_n",
    "month": "month_n",
}
"""Each board's score column in ``member_stats``."""

Key = tuple[int, date, int]
"""``(score, last_day, member_id)``: a board's order, highest first."""


def keys_of(row: StatsRow) -> list[Key | None]:
    """The row's key on each of :data:`BOARDS` (``None`` where it is not listed)."""
    if row.hidden:
        return [None] * len(BOARDS)
    last, member, state = row.last_day or NO_DAY, row.member_id, row.state
    scores = (row.live_run, state.longest, state.total, row.recent, row.week_n, row.month_n)
    return [(score, last, member) if score > 0 else None for score in scores]


@dataclass
class HeadState:
    """A head's bookkeeping: its length, whether it is the whole board, its floor."""

    size: int
    complete: bool
    floor: Key | None

    def holds(self, key: Key) -> bool:
        """Whether an entry with this key belongs in the head."""
        return self.complete or self.floor is None or key >= self.floor


# --- reading ------------------------------------------------------------------------------


async def states(
    db: Executor, group_ids: Iterable[int], *, lock: bool = True
) -> dict[tuple[int, str], HeadState]:
    """The heads built for these groups, by ``(group_id, board)``.

    On PostgreSQL they are locked (``FOR UPDATE``, in key order) unless ``lock=False``:
    writers of one group then change its heads one after the other.
    """
    wanted = sorted(set(group_ids))
    if not wanted:
        return {}
    columns = "group_id, board, size, complete, floor_score, floor_day, floor_member"
    if is_sqlite(db) and len(wanted) < bulk.MAX_PARAMS:
        rows = await bulk.select_in(
            db, f"SELECT {columns} FROM board_top_state WHERE group_id IN {{0}}", wanted
        )
        return {
            (g, b): HeadState(
                n, bool(c), None if s is None else (s, bulk.parse_date(d) or NO_DAY, m)
            )
            for g, b, n, c, s, d, m in rows
        }
    sql = f"SELECT {columns} FROM board_top_state WHERE group_id IN :groups"
    if lock and dialect_name(db) == "postgresql":
        sql += " ORDER BY group_id, board FOR UPDATE"
    statement = text(sql).bindparams(bindparam("groups", expanding=True))
    result = await db.execute(statement, {"groups": wanted})
    return {
        (g, b): HeadState(n, bool(c), None if s is None else (s, d, m))
        for g, b, n, c, s, d, m in result.all()
    }


async def page(
    db: Executor,
    group_id: int,
    board: str,
    limit: int,
    offset: int,
    *,
    since: date | None = None,
) -> list[tuple[int, int]] | None:
    """Entries ``offset`` to ``offset + limit`` of a board, from its head.

    Args:
        db: Session or connection.
        group_id: The group.
        board: One of :data:`BOARDS`.
        limit: Entries wanted.
        offset: Entries skipped.
        since: List only members whose latest check-in is on or after this day (boards
            filtered by activity).

    Returns:
        ``(member_id, score)`` pairs, or ``None`` when the head cannot answer (not built,
        or the page reaches past it): the caller reads ``member_stats``.
    """
    found = await states(db, [group_id], lock=False)
    state = found.get((group_id, board))
    if state is None:
        return None
    sql = "SELECT member_id, score FROM board_top WHERE group_id = :group AND board = :board"
    params: dict[str, Any] = {"group": group_id, "board": board, "n": limit, "skip": offset}
    if since is not None:
        sql += " AND last_day >= :since"
        params["since"] = _param(db, since)
    sql += " ORDER BY score DESC, last_day DESC, member_id DESC LIMIT :n OFFSET :skip"
    rows = (await db.execute(text(sql), params)).all()
    if len(rows) < limit and not state.complete:
        return None  # the rest of the page lies beyond the head
    return [(int(member_id), int(score)) for member_id, score in rows]


async def entries(db: Executor, group_id: int) -> dict[str, list[Key]]:
    """Every head of a group in board order (audits compare them with the scores)."""
    sql = (
        "SELECT board, score, last_day, member_id FROM board_top WHERE group_id = :group "
        "ORDER BY board, score DESC, last_day DESC, member_id DESC"
    )
    heads: dict[str, list[Key]] = {board: [] for board in BOARDS}
    for board, score, last_day, member_id in await db.execute(text(sql), {"group": group_id}):
        day = bulk.parse_date(last_day) if isinstance(last_day, str) else last_day
        heads.setdefault(board, []).append((score, day or NO_DAY, member_id))
    return heads


# --- keeping heads in step with the scores --------------------------------------------------


async def apply(db: Executor, changes: Iterable[tuple[StatsRow | None, StatsRow]]) -> None:
    """Move the changed members' entries in their groups' heads (same transaction).

    Args:
        db: The writer's session or connection.
        changes: ``(before, after)`` stats rows of members whose figures were written
            (``before`` ``None`` or not stored for a new row). A group whose heads were
            never built is skipped: its first :func:`rebuild` makes them.
    """
    pairs = list(changes)
    if not pairs:
        return
    groups = {after.group_id for _, after in pairs}
    groups |= {before.group_id for before, _ in pairs if before is not None}
    found = await states(db, groups)
    if not found:
        return
    deletes: list[tuple[Any, ...]] = []
    inserts: list[tuple[Any, ...]] = []
    grown: dict[tuple[int, str], int] = {}
    for before, after in pairs:
        old_keys = keys_of(before) if before is not None and before.stored else _UNLISTED
        old_group = after.group_id if before is None else before.group_id
        new_keys = keys_of(after)
        for board, old, new in zip(BOARDS, old_keys, new_keys, strict=True):
            if old == new and old_group == after.group_id:
                continue
            if old is not None:
                state = found.get((old_group, board))
                if state is not None and state.holds(old):
                    deletes.append((old_group, board, *old))
                    grown[old_group, board] = grown.get((old_group, board), 0) - 1
            if new is not None:
                state = found.get((after.group_id, board))
                if state is not None and state.holds(new):
                    inserts.append((after.group_id, board, *new))
                    grown[after.group_id, board] = grown.get((after.group_id, board), 0) + 1
    # Deletes first: a member whose entry moves within a head frees their old key.
    await _run_many(db, _DELETE, deletes)
    await _run_many(db, _INSERT, inserts)
    updates: list[tuple[Any, ...]] = []
    for (group_id, board), delta in sorted(grown.items()):
        state = found[group_id, board]
        state.size += delta
        if state.size > TRIM_AT:
            await _trim(db, group_id, board, state)
        updates.append(_state_values(group_id, board, state))
    await _run_many(db, _UPDATE_STATE, updates)


_UNLISTED: list[Key | None] = [None] * len(BOARDS)
_KEY_MATCH = "group_id = ? AND board = ? AND score = ? AND last_day = ? AND member_id = ?"
_DELETE = f"DELETE FROM board_top WHERE {_KEY_MATCH}"
_INSERT = (
    "INSERT INTO board_top (group_id, board, score, last_day, member_id) VALUES (?, ?, ?, ?, ?)"
)
_UPDATE_STATE = (
    "UPDATE board_top_state SET size = ?, complete = ?, floor_score = ?, floor_day = ?, "
    "floor_member = ? WHERE group_id = ? AND board = ?"
)


def _state_values(group_id: int, board: str, state: HeadState) -> tuple[Any, ...]:
    floor = state.floor if not state.complete else None
    score, day, member = floor if floor is not None else (None, None, None)
    return (state.size, state.complete, score, day, member, group_id, board)


async def _trim(db: Executor, group_id: int, board: str, state: HeadState) -> None:
    """Cut a head back to ``KEEP`` entries; the floor becomes its last one."""
    sql = (
        "SELECT score, last_day, member_id FROM board_top WHERE group_id = :group "
        "AND board = :board ORDER BY score DESC, last_day DESC, member_id DESC "
        "LIMIT 1 OFFSET :skip"
    )
    params = {"group": group_id, "board": board, "skip": KEEP - 1}
    last = (await db.execute(text(sql), params)).first()
    if last is None:  # shorter than counted (members deleted meanwhile): nothing to cut
        state.size = await _count(db, group_id, board)
        return
    score, stored_day, member = last
    day = bulk.parse_date(stored_day) if isinstance(stored_day, str) else stored_day
    await db.execute(
        text(
            "DELETE FROM board_top WHERE group_id = :group AND board = :board "
            "AND (score < :score OR (score = :score AND last_day < :day) "
            "OR (score = :score AND last_day = :day AND member_id < :member))"
        ),
        {"group": group_id, "board": board, "score": score, "day": stored_day, "member": member},
    )
    state.size, state.complete, state.floor = KEEP, False, (score, day or NO_DAY, member)


async def _count(db: Executor, group_id: int, board: str) -> int:
    sql = "SELECT count(*) FROM board_top WHERE group_id = :group AND board = :board"
    return int((await db.execute(text(sql), {"group": group_id, "board": board})).scalar_one())


async def rebuild(db: Executor, group_id: int) -> None:
    """Make a group's heads again from ``member_stats`` (after a day roll or a move)."""
    params = {"group": group_id}
    await db.execute(text("DELETE FROM board_top WHERE group_id = :group"), params)
    await db.execute(text("DELETE FROM board_top_state WHERE group_id = :group"), params)
    for board in BOARDS:
        score = COLUMNS[board]
        last = f"COALESCE(last_day, '{NO_DAY.isoformat()}')"
        if dialect_name(db) == "postgresql":
            last = f"COALESCE(last_day, DATE '{NO_DAY.isoformat()}')"
        await db.execute(
            text(
                "INSERT INTO board_top (group_id, board, score, last_day, member_id) "
                f"SELECT group_id, :board, {score}, {last}, member_id FROM member_stats "
                f"WHERE group_id = :group AND hidden = :hidden AND {score} > 0 "
                f"ORDER BY {score} DESC, {last} DESC, member_id DESC LIMIT :n"
            ),
            {"group": group_id, "board": board, "hidden": False, "n": KEEP},
        )
        size = await _count(db, group_id, board)
        state = HeadState(size, size < KEEP, None)
        if not state.complete:
            # KEEP taken: there may be more, so the floor is the last one (nothing is cut).
            await _trim(db, group_id, board, state)
        await db.execute(
            text(
                "INSERT INTO board_top_state (size, complete, floor_score, floor_day, "
                "floor_member, group_id, board) VALUES (:size, :complete, :score, :day, "
                ":member, :group, :board)"
            ),
            dict(
                zip(
                    ("size", "complete", "score", "day", "member", "group", "board"),
                    [_param(db, v) for v in _state_values(group_id, board, state)],
                    strict=True,
                )
            ),
        )


async def _run_many(db: Executor, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """One ``?``-parameter statement for every row: at the driver on SQLite, else Core."""
    if not rows:
        return
    if is_sqlite(db):
        await bulk.executemany(db, sql, rows)
        return
    names = [f"p{i}" for i in range(len(rows[0]))]
    parts = sql.split("?")
    pairs = zip(names, parts[1:], strict=True)
    named = parts[0] + "".join(f":{name}{part}" for name, part in pairs)
    await db.execute(text(named), [dict(zip(names, row, strict=True)) for row in rows])


def _param(db: Executor, value: Any) -> Any:
    """A bound value of a ``text()`` statement (untyped): as SQLite stores it there."""
    return bulk.sqlite_value(value) if is_sqlite(db) else value
