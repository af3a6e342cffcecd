"""Check-in rows: unique per member and local date, written in batches.

Every function takes an :data:`Executor`, a session or a connection, so the same SQL
serves the batching writer (its own connection and transaction) and handlers that work
inside the dispatcher's session.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn, Identity, Member
from bot.db.repositories import bulk, postgres_bulk
from bot.db.upsert import Executor, dialect_name, is_sqlite, upsert
from bot.streaks import CheckInDay

# Executor, dialect_name and upsert live in bot.db.upsert; kept importable from here.
__all__ = ["Executor", "NewCheckin", "dialect_name", "upsert"]

_TABLE: Table = CheckIn.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class NewCheckin:
    """A check-in to store (the columns of a ``checkins`` row)."""

    member_id: int
    group_id: int
    local_date: date
    checked_at: datetime
    timezone: str
    platform: str
    challenge_id: str | None = None
    note: str | None = None
    link: str | None = None


_FIELDS = tuple(NewCheckin.__dataclass_fields__)


async def insert_new(db: Executor, rows: Sequence[NewCheckin]) -> dict[tuple[int, date], int]:
    """Insert the rows whose (member, local date) is free; return each inserted key's group.

    A key already stored, or given twice in ``rows``, is skipped by the database
    (``ON CONFLICT DO NOTHING``), never raised: a second ``/done`` is not an error. The
    group stored is the member's as the statement reads it, not ``row.group_id``: a link or
    unlink may have moved the member since the command read it (or merged the old group
    away). On SQLite the statement holds the write lock as it reads, so that is final; on
    PostgreSQL the caller compares it with the group under the member's row lock.
    """
    if not rows:
        return {}
    if is_sqlite(db):
        returned = await bulk.insert_returning(
            db,
            f"INSERT INTO checkins ({', '.join(_FIELDS)}) SELECT {_SQLITE_PICK} FROM",
            # CROSS JOIN keeps the VALUES rows the outer loop: rows go in in the order given,
            # so of two rows with one key, the first is the one stored.
            "AS v CROSS JOIN members AS m WHERE m.id = v.column1 "
            "ON CONFLICT (member_id, local_date) DO NOTHING "
            "RETURNING member_id, local_date, group_id",
            [_sqlite_row(row) for row in rows],
            converted=True,
            parenthesized=True,
        )
        return {(member_id, date.fromisoformat(day)): group for member_id, day, group in returned}
    if postgres_bulk.applies(db):
        return await postgres_bulk.insert_checkins(
            db, [tuple(getattr(row, name) for name in _INPUT) for row in rows]
        )
    groups = await current_groups(db, (row.member_id for row in rows))
    statement = (
        upsert(db, _TABLE)
        .on_conflict_do_nothing(index_elements=["member_id", "local_date"])
        .returning(_TABLE.c.member_id, _TABLE.c.local_date, _TABLE.c.group_id)
    )
    params = [_params(row) | {"group_id": groups.get(row.member_id, row.group_id)} for row in rows]
    result = await db.execute(statement, params)
    return {(member_id, day): group for member_id, day, group in result.all()}


# The columns given per row: all but group_id, which comes from the member's row.
_INPUT = tuple(name for name in _FIELDS if name != "group_id")
# The SELECT list of the SQLite insert, in _FIELDS order, from VALUES' column1, column2…
_SQLITE_PICK = ", ".join(
    "m.group_id" if name == "group_id" else f"v.column{_INPUT.index(name) + 1}" for name in _FIELDS
)


def _sqlite_row(row: NewCheckin) -> tuple[Any, ...]:
    # In _INPUT order, each column converted by its known type (see bulk.sqlite_value).
    return (
        row.member_id,
        row.local_date.isoformat(),
        bulk.timestamp(row.checked_at),
        row.timezone,
        row.platform,
        row.challenge_id,
        row.note,
        row.link,
    )


def _params(row: NewCheckin) -> dict[str, Any]:
    # dataclasses.asdict deep-copies every value; a batch of 500 rows does not need that.
    return {name: getattr(row, name) for name in _FIELDS}


async def current_groups(db: Executor, member_ids: Iterable[int]) -> dict[int, int]:
    """Each member's group as it is now (a link or unlink may have moved them)."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    result = await db.execute(select(Member.id, Member.group_id).where(Member.id.in_(ids)))
    return {member_id: group_id for member_id, group_id in result.all()}


async def set_groups(db: Executor, groups: dict[tuple[int, date], int]) -> None:
    """Give the check-ins with these (member, local date) keys the group mapped to each."""
    if groups:
        statement = (
            update(_TABLE)
            .where(
                _TABLE.c.member_id == bindparam("key_member"),
                _TABLE.c.local_date == bindparam("key_day"),
            )
            .values(group_id=bindparam("new_group"))
        )
        await db.execute(
            statement,
            [
                {"key_member": member_id, "key_day": day, "new_group": group_id}
                for (member_id, day), group_id in groups.items()
            ],
        )


async def delete_keys(db: Executor, keys: Iterable[tuple[int, date]]) -> None:
    """Delete the check-ins with these (member, local date) keys."""
    wanted = list(keys)
    if wanted:
        key = tuple_(_TABLE.c.member_id, _TABLE.c.local_date)
        await db.execute(delete(_TABLE).where(key.in_(wanted)))


async def history(db: Executor, member_ids: Iterable[int]) -> dict[int, list[CheckInDay]]:
    """Every check-in of each member, oldest first, as the streak engine takes them."""
    wanted = sorted(set(member_ids))
    found: dict[int, list[CheckInDay]] = {member_id: [] for member_id in wanted}
    if not wanted:
        return found
    query = (
        select(_TABLE.c.member_id, _TABLE.c.local_date, _TABLE.c.checked_at, _TABLE.c.timezone)
        .where(_TABLE.c.member_id.in_(wanted))
        .order_by(_TABLE.c.member_id, _TABLE.c.local_date)
    )
    for member_id, day, at, tz in (await db.execute(query)).all():
        found[member_id].append(CheckInDay(day=day, at=at, tz=tz))
    return found


async def days_between(db: Executor, member_id: int, first: date, last: date) -> set[date]:
    """The member's check-in dates from ``first`` to ``last`` inclusive."""
    query = select(_TABLE.c.local_date).where(
        _TABLE.c.member_id == member_id, _TABLE.c.local_date.between(first, last)
    )
    return set((await db.execute(query)).scalars())


async def has_checkin(db: Executor, member_id: int, day: date) -> bool:
    """Whether the member has a check-in for ``day``."""
    query = select(_TABLE.c.id).where(_TABLE.c.member_id == member_id, _TABLE.c.local_date == day)
    return (await db.execute(query.limit(1))).first() is not None


async def row_count(db: Executor, group_id: int | None = None) -> int:
    """How many check-ins are stored (in one group, or in all)."""
    query = select(func.count()).select_from(_TABLE)
    if group_id is not None:
        query = query.where(_TABLE.c.group_id == group_id)
    return int((await db.execute(query)).scalar_one())


async def duplicate_keys(db: Executor) -> int:
    """How many (member, local date) keys are stored more than once (always 0: checked)."""
    grouped = (
        select(_TABLE.c.member_id)
        .group_by(_TABLE.c.member_id, _TABLE.c.local_date)
        .having(func.count() > 1)
        .subquery()
    )
    return int((await db.execute(select(func.count()).select_from(grouped))).scalar_one())


async def counts_in_window(db: Executor, group_id: int, first: date, last: date) -> dict[int, int]:
    """Check-ins per member of a group with a local date from ``first`` to ``last``."""
    query = (
        select(_TABLE.c.member_id, func.count())
        .where(_TABLE.c.group_id == group_id, _TABLE.c.local_date.between(first, last))
        .group_by(_TABLE.c.member_id)
    )
    return {member_id: int(n) for member_id, n in (await db.execute(query)).all()}


async def by_member(db: Executor, group_id: int) -> dict[int, list[CheckInDay]]:
    """Every check-in of a group, per member, oldest first (audits and recomputes)."""
    query = (
        select(_TABLE.c.member_id, _TABLE.c.local_date, _TABLE.c.checked_at, _TABLE.c.timezone)
        .where(_TABLE.c.group_id == group_id)
        .order_by(_TABLE.c.member_id, _TABLE.c.local_date)
    )
    found: dict[int, list[CheckInDay]] = defaultdict(list)
    for member_id, day, at, tz in (await db.execute(query)).all():
        found[member_id].append(CheckInDay(day=day, at=at, tz=tz))
    return dict(found)


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One check-in as exported to CSV."""

    member: str
    platform_user_ids: str
    local_date: date
    checked_at: datetime
    timezone: str
    platform: str
    challenge_id: str | None
    note: str | None
    link: str | None


async def export_rows(db: Executor, group_id: int, since: date | None = None) -> list[ExportRow]:
    """A group's check-ins with member names and platform ids, by date then member."""
    ids = (
        select(func.min(Identity.platform_user_id))
        .where(Identity.member_id == Member.id)
        .correlate(Member)
        .scalar_subquery()
    )
    query = (
        select(
            Member.display_name,
            ids,
            _TABLE.c.local_date,
            _TABLE.c.checked_at,
            _TABLE.c.timezone,
            _TABLE.c.platform,
            _TABLE.c.challenge_id,
            _TABLE.c.note,
            _TABLE.c.link,
        )
        .join(Member, Member.id == _TABLE.c.member_id)
        .where(_TABLE.c.group_id == group_id)
        .order_by(_TABLE.c.local_date, Member.display_name, _TABLE.c.id)
    )
    if since is not None:
        query = query.where(_TABLE.c.local_date >= since)
    rows: list[ExportRow] = []
    for name, user_id, *rest in (await db.execute(query)).all():
        rows.append(ExportRow(name, user_id or "", *rest))
    return rows


async def has_written(session: AsyncSession) -> bool:
    """Whether the session's transaction has written anything (pending changes flushed first).

    SQLite (the driver's legacy transaction handling) opens a transaction only at the
    first write, so an open one means a write; PostgreSQL assigns a transaction id only
    at the first write.
    """
    await session.flush()
    if not session.in_transaction():
        return False
    connection = await session.connection()
    name = connection.dialect.name
    if name == "sqlite":
        raw = await connection.get_raw_connection()
        return bool(getattr(raw.driver_connection, "in_transaction", True))
    if name == "postgresql":
        query = text("SELECT txid_current_if_assigned() IS NOT NULL")
        return bool((await session.execute(query)).scalar_one())
    return True


async def member_names(db: Executor, group_id: int, space_id: int, prefix: str) -> list[str]:
    """Up to 25 display names of a group's members in a space, starting with ``prefix``."""
    query = (
        select(Member.display_name)
        .join(Identity, Identity.member_id == Member.id)
        .where(Member.group_id == group_id, Identity.space_id == space_id)
        .order_by(Member.display_name)
        .distinct()
        .limit(25)
    )
    if prefix:
        query = query.where(Member.display_name.istartswith(prefix, autoescape=True))
    return list((await db.execute(query)).scalars())


async def display_names(db: Executor, member_ids: Iterable[int], space_id: int) -> dict[int, str]:
    """How members are called in a space: their identity's name there, else theirs."""
    wanted = sorted(set(member_ids))
    if not wanted:
        return {}
    query = (
        select(Member.id, Member.display_name, Identity.display_name)
        .outerjoin(Identity, (Identity.member_id == Member.id) & (Identity.space_id == space_id))
        .where(Member.id.in_(wanted))
    )
    names: dict[int, str] = {}
    for member_id, member_name, identity_name in (await db.execute(query)).all():
        names.setdefault(member_id, identity_name or member_name)
    return names
