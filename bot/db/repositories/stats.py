"""``member_stats`` rows and the inputs a replay needs (excused days, overrides).

Writers of a member's figures read them with :func:`load_for_write`. On PostgreSQL it
first locks the member's ``members`` row (``FOR NO KEY UPDATE``, in id order), then the
stored ``member_stats`` rows (``FOR UPDATE``, in a second statement, so that a writer that
waited for the first lock sees the row the other one created). The ``members`` row lock is
what serialises writers of a member that has no stats row yet, so a new member's row is
written once (an ``INSERT``), not created empty to be locked and then rewritten. Every
writer that creates ``member_stats`` rows goes through :func:`load_for_write`; the bulk
``UPDATE`` statements of the board roll and of linking only change stored rows, whose own
row locks keep them exact. SQLite has one writer at a time: the caller's first write (the ``INSERT``
in :func:`ensure` for a replay) takes the database's write lock, so the reads that follow
see no concurrent change either.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sqlalchemy import Table, literal, select, update

from bot.db.models import Member, MemberStats
from bot.db.repositories import postgres_bulk, stats_sqlite
from bot.db.repositories.checkins import Executor, dialect_name, upsert
from bot.db.repositories.stats_row import StatsRow, row_from
from bot.db.repositories.streak_inputs import (  # re-exported: callers use stats.excuses etc.
    Excuses,
    add_excused,
    add_override,
    excuses,
    overrides,
)
from bot.db.upsert import is_sqlite

_STATS: Table = MemberStats.__table__  # type: ignore[assignment]
_MEMBERS: Table = Member.__table__  # type: ignore[assignment]


async def ensure(db: Executor, member_ids: Iterable[int], now: datetime) -> None:
    """Create an empty stats row for each member that has none (copying ``hidden``).

    Not for PostgreSQL writers of the figures: there a row is created only under the
    ``members`` row lock of :func:`load_for_write` (two writers creating it without that
    lock would wait on each other's unique key and lock in opposite orders).
    """
    wanted = sorted(set(member_ids))
    if not wanted:
        return
    zeros = (
        "run",
        "longest",
        "total",
        "freezes",
        "progress",
        "freezes_used",
        "live_run",
        "recent",
        "week_n",
        "month_n",
    )
    source = select(
        _MEMBERS.c.id,
        _MEMBERS.c.group_id,
        _MEMBERS.c.hidden,
        literal(now, type_=_STATS.c.updated_at.type),
        *(literal(0) for _ in zeros),
    ).where(_MEMBERS.c.id.in_(wanted))
    statement = (
        upsert(db, _STATS)
        .from_select(["member_id", "group_id", "hidden", "updated_at", *zeros], source)
        .on_conflict_do_nothing(index_elements=["member_id"])
    )
    await db.execute(statement)


async def begin_write(db: Executor, member_ids: Iterable[int], now: datetime) -> None:
    """Start writing members' figures in a transaction that has not written yet.

    On SQLite :func:`ensure`'s ``INSERT`` takes the database's write lock before the rows
    are read; on PostgreSQL nothing is needed (:func:`load_for_write` locks what it reads).
    """
    if is_sqlite(db):
        await ensure(db, member_ids, now)


async def load(
    db: Executor, member_ids: Iterable[int], *, lock: bool = True
) -> dict[int, StatsRow]:
    """The stats rows of these members (missing ones are absent), locked if asked."""
    wanted = sorted(set(member_ids))
    if not wanted:
        return {}
    query = select(_STATS).where(_STATS.c.member_id.in_(wanted)).order_by(_STATS.c.member_id)
    if lock and dialect_name(db) == "postgresql":
        query = query.with_for_update()
    return {row.member_id: row_from(row) for row in (await db.execute(query)).all()}


async def load_for_write(db: Executor, member_ids: Iterable[int]) -> dict[int, StatsRow]:
    """Every member's stats row, locked for this transaction; empty rows for new members.

    New members get a row that is not ``stored``; :func:`save` inserts it. On SQLite the
    caller must already have written in this transaction: that write holds the database's
    write lock, so no other writer changes the rows until the commit. On PostgreSQL the
    members' rows are locked first (see the module's docstring), then the stored stats rows.
    """
    wanted = sorted(set(member_ids))
    if not wanted:
        return {}
    if dialect_name(db) != "postgresql":
        return await stats_sqlite.load_rows(db, wanted)
    if postgres_bulk.applies(db):
        members = await postgres_bulk.lock_members(db, wanted)
        rows = await postgres_bulk.load_stats(db, wanted)
    else:
        query = (
            select(_MEMBERS.c.id, _MEMBERS.c.group_id, _MEMBERS.c.hidden)
            .where(_MEMBERS.c.id.in_(wanted))
            .order_by(_MEMBERS.c.id)
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE
        )
        found = (await db.execute(query)).all()
        members = {member_id: (group_id, bool(hidden)) for member_id, group_id, hidden in found}
        rows = await load(db, wanted)
    for member_id, (group_id, hidden) in members.items():
        if member_id not in rows:
            rows[member_id] = StatsRow(member_id, group_id, hidden, stored=False)
    return rows


async def for_group(db: Executor, group_id: int) -> dict[int, StatsRow]:
    """Every stats row of a group (audits)."""
    query = select(_STATS).where(_STATS.c.group_id == group_id)
    return {row.member_id: row_from(row) for row in (await db.execute(query)).all()}


async def save(
    db: Executor,
    rows: Sequence[StatsRow],
    now: datetime,
    *,
    new: Collection[int] | None = None,
    moved: bool = True,
) -> None:
    """Store rows, creating those that do not exist yet.

    Args:
        db: Session or connection.
        rows: The rows to store.
        now: Stored as ``updated_at``.
        new: Members known to have no row yet (inserted directly); ``None`` if unknown.
        moved: Whether a row's ``group_id`` may differ from the stored one (members of
            linked groups); the check-in writer knows it does not.
    """
    if not rows:
        return
    if postgres_bulk.applies(db):
        await postgres_bulk.save_stats(db, rows, now, new)
        return
    if is_sqlite(db):
        await stats_sqlite.save_rows(db, rows, now, new, moved)
        return
    params = [
        {"member_id": row.member_id, "group_id": row.group_id, "updated_at": now, **row.values()}
        for row in rows
    ]
    names = [name for name in params[0] if name != "member_id"]
    statement = upsert(db, _STATS)
    statement = statement.on_conflict_do_update(
        index_elements=["member_id"], set_={name: statement.excluded[name] for name in names}
    )
    await db.execute(statement, params)


async def set_member_hidden(db: Executor, member_id: int, hidden: bool) -> None:
    """Set ``members.hidden`` (the source of truth the stats rows copy)."""
    await db.execute(update(_MEMBERS).where(_MEMBERS.c.id == member_id).values(hidden=hidden))


async def member_ids(db: Executor, group_id: int) -> list[int]:
    """Members of a group that have a stats row, in id order."""
    query = select(_STATS.c.member_id).where(_STATS.c.group_id == group_id)
    return sorted((await db.execute(query)).scalars())


__all__ = [
    "Excuses",
    "StatsRow",
    "add_excused",
    "add_override",
    "begin_write",
    "ensure",
    "excuses",
    "for_group",
    "load",
    "load_for_write",
    "member_ids",
    "overrides",
    "save",
    "set_member_hidden",
]
