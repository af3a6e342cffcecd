"""Excused days and moderator overrides: the inputs a replay needs besides check-ins."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, or_, select

from bot.db.models import ExcusedDay, StreakOverride
from bot.db.repositories import bulk, postgres_bulk
from bot.db.repositories.checkins import Executor
from bot.db.upsert import is_sqlite

_EXCUSED: Table = ExcusedDay.__table__  # type: ignore[assignment]
_OVERRIDES: Table = StreakOverride.__table__  # type: ignore[assignment]

_NOTHING: frozenset[date] = frozenset()


@dataclass
class Excuses:
    """Excused days: group-wide ones and each member's own."""

    group: dict[int, set[date]] = field(default_factory=lambda: defaultdict(set))
    member: dict[int, set[date]] = field(default_factory=lambda: defaultdict(set))

    def of(self, group_id: int, member_id: int) -> frozenset[date]:
        """The days excused for one member of a group."""
        group, own = self.group.get(group_id), self.member.get(member_id)
        if not own:
            return frozenset(group) if group else _NOTHING
        return frozenset(own if not group else group | own)


async def excuses(
    db: Executor, group_ids: Iterable[int], member_ids: Iterable[int], since: date | None = None
) -> Excuses:
    """Excused days of these groups (group-wide) and members, on or after ``since``."""
    groups, members = sorted(set(group_ids)), sorted(set(member_ids))
    found = Excuses()
    if not groups:
        return found
    if postgres_bulk.applies(db):
        rows = await postgres_bulk.excused_rows(db, groups, members, since)
    elif is_sqlite(db) and members and len(groups) + len(members) < bulk.MAX_PARAMS:
        rows = await _sqlite_excused_rows(db, groups, members, since)
    else:
        rows = await _excused_rows(db, groups, members, since)
    for group_id, member_id, day in rows:
        if member_id is None:
            found.group[group_id].add(day)
        else:
            found.member[member_id].add(day)
    return found


async def _sqlite_excused_rows(
    db: Executor, groups: list[int], members: list[int], since: date | None
) -> list[tuple[int, int | None, date]]:
    # The Core statement below at the driver level (bulk.select_in); days are ISO text.
    sql = (
        "SELECT group_id, member_id, day FROM excused_days WHERE group_id IN {0} "
        "AND (member_id IS NULL OR member_id IN {1})"
    )
    lists: list[list[Any]] = [groups, members]
    if since is not None:
        sql += " AND day >= {2}"  # renders "day >= (?)"
        lists.append([since])
    found = await bulk.select_in(db, sql, *lists)
    return [(g, m, date.fromisoformat(d)) for g, m, d in found]


async def _excused_rows(
    db: Executor, groups: list[int], members: list[int], since: date | None
) -> list[tuple[int, int | None, date]]:
    query = select(_EXCUSED.c.group_id, _EXCUSED.c.member_id, _EXCUSED.c.day).where(
        _EXCUSED.c.group_id.in_(groups),
        or_(_EXCUSED.c.member_id.is_(None), _EXCUSED.c.member_id.in_(members)),
    )
    if since is not None:
        query = query.where(_EXCUSED.c.day >= since)
    return [(g, m, d) for g, m, d in (await db.execute(query)).all()]


async def overrides(db: Executor, member_ids: Iterable[int]) -> dict[int, list[tuple[date, int]]]:
    """Each member's moderator overrides ``(as_of, run)`` in the order they were made."""
    wanted = sorted(set(member_ids))
    found: dict[int, list[tuple[date, int]]] = {member_id: [] for member_id in wanted}
    if not wanted:
        return found
    query = (
        select(_OVERRIDES.c.member_id, _OVERRIDES.c.as_of, _OVERRIDES.c.run)
        .where(_OVERRIDES.c.member_id.in_(wanted))
        .order_by(_OVERRIDES.c.id)
    )
    for member_id, as_of, run in (await db.execute(query)).all():
        found[member_id].append((as_of, run))
    return found


async def add_override(
    db: Executor, member_id: int, as_of: date, run: int, reason: str, now: datetime
) -> None:
    """Record a moderator's ``set`` of a member's run."""
    await db.execute(
        _OVERRIDES.insert().values(
            member_id=member_id, as_of=as_of, run=run, reason=reason[:500], created_at=now
        )
    )


async def add_excused(
    db: Executor,
    group_id: int,
    member_id: int | None,
    days: Iterable[date],
    reason: str,
    now: datetime,
) -> list[date]:
    """Excuse days (for one member, or group-wide with ``member_id=None``) not yet excused.

    Returns:
        The days newly excused, in order.
    """
    wanted = sorted(set(days))
    if not wanted:
        return []
    owner = (
        _EXCUSED.c.member_id.is_(None) if member_id is None else (_EXCUSED.c.member_id == member_id)
    )
    query = select(_EXCUSED.c.day).where(
        _EXCUSED.c.group_id == group_id, owner, _EXCUSED.c.day.in_(wanted)
    )
    known = set((await db.execute(query)).scalars())
    new = [day for day in wanted if day not in known]
    if new:
        await db.execute(
            _EXCUSED.insert(),
            [
                {
                    "group_id": group_id,
                    "member_id": member_id,
                    "day": day,
                    "reason": reason[:500],
                    "created_at": now,
                }
                for day in new
            ],
        )
    return new
