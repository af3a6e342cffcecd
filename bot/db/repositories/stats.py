"""``member_stats`` rows and the inputs a replay needs (excused days, overrides).

Writers lock the rows they are about to change: :func:`ensure` creates missing rows first
(so there is something to lock) and :func:`load` reads them ``FOR UPDATE`` on PostgreSQL.
SQLite has one writer at a time, and the ``INSERT`` in :func:`ensure` is what starts the
write transaction there, so the reads that follow see no concurrent change either.
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
    """Create an empty stats row for each member that has none (copying ``hidden``)."""
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


async def load_for_write(
    db: Executor, member_ids: Iterable[int], now: datetime
) -> dict[int, StatsRow]:
    """Every member's stats row, locked for this transaction; empty rows for new members.

    The caller must already have written in this transaction: on SQLite that write holds
    the database's write lock, so no other writer changes the rows until the commit (and
    new members get their row from :func:`save`); on PostgreSQL missing rows are created
    first so that ``FOR UPDATE`` has something to lock.
    """
    wanted = sorted(set(member_ids))
    if wanted and postgres_bulk.applies(db):
        await postgres_bulk.ensure_stats(db, wanted, now)
        return await postgres_bulk.load_stats(db, wanted)
    if dialect_name(db) == "postgresql":
        await ensure(db, wanted, now)
        return await load(db, wanted)
    if not wanted:
        return {}
    return await stats_sqlite.load_rows(db, wanted)


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
        await postgres_bulk.save_stats(db, rows, now)
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
