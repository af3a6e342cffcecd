"""The ``rotation`` table: which content item a group got on each local date.

One row per (group, kind, local date). Draws are claimed with
``INSERT … ON CONFLICT DO NOTHING`` and read back, so concurrent requests for the same
day (a scheduled post and a member's ``/challenge``, or two instances) agree on one item.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.rotation import CycleState, Drawn
from bot.db.models import RotationEntry
from bot.db.upsert import insert_or_ignore

_KEY = ("group_id", "kind", "local_date")


async def get(session: AsyncSession, group_id: int, kind: str, day: date) -> Drawn | None:
    """The item drawn for ``day``, if any."""
    query = select(RotationEntry.item_id, RotationEntry.cycle).where(
        RotationEntry.group_id == group_id,
        RotationEntry.kind == kind,
        RotationEntry.local_date == day,
    )
    row = (await session.execute(query)).first()
    return None if row is None else Drawn(row.item_id, row.cycle)


async def cycle_state(session: AsyncSession, group_id: int, kind: str) -> CycleState:
    """The current cycle and the item ids used in it, newest first, in one query."""
    where = (RotationEntry.group_id == group_id, RotationEntry.kind == kind)
    latest = select(func.max(RotationEntry.cycle)).where(*where).scalar_subquery()
    query = (
        select(RotationEntry.item_id, RotationEntry.cycle)
        .where(*where, RotationEntry.cycle == latest)
        .order_by(RotationEntry.local_date.desc())
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return CycleState(cycle=0, used=frozenset(), last=None)
    return CycleState(
        cycle=rows[0].cycle, used=frozenset(r.item_id for r in rows), last=rows[0].item_id
    )


async def claim(
    session: AsyncSession,
    *,
    group_id: int,
    kind: str,
    day: date,
    item_id: str,
    cycle: int,
    now: datetime,
) -> Drawn:
    """Record ``item_id`` for ``day`` unless a row exists already; return the row that won."""
    values: dict[str, Any] = {
        "group_id": group_id,
        "kind": kind,
        "local_date": day,
        "item_id": item_id,
        "cycle": cycle,
        "created_at": now,
    }
    if await insert_or_ignore(session, RotationEntry, values, list(_KEY)):
        return Drawn(item_id, cycle)  # our row went in: no need to read it back
    drawn = await get(session, group_id, kind, day)
    if drawn is None:  # pragma: no cover - the row was just inserted or already there
        raise RuntimeError(f"rotation row for group {group_id} {kind} {day} vanished")
    return drawn


async def replace_item(
    session: AsyncSession,
    *,
    group_id: int,
    kind: str,
    day: date,
    old_item_id: str,
    item_id: str,
    cycle: int,
) -> Drawn:
    """Swap a day's item that no longer exists for another, unless someone already did.

    The ``WHERE item_id = old`` makes this a compare-and-set: of two concurrent repairs
    only the first changes the row, and both read back the same result.
    """
    await session.execute(
        update(RotationEntry)
        .where(
            RotationEntry.group_id == group_id,
            RotationEntry.kind == kind,
            RotationEntry.local_date == day,
            RotationEntry.item_id == old_item_id,
        )
        .values(item_id=item_id, cycle=cycle)
        .execution_options(synchronize_session=False)
    )
    drawn = await get(session, group_id, kind, day)
    if drawn is None:  # pragma: no cover - rows are never deleted here
        raise RuntimeError(f"rotation row for group {group_id} {kind} {day} vanished")
    return drawn


async def history(
    session: AsyncSession, group_id: int, kind: str, *, limit: int = 1000
) -> list[tuple[date, str, int]]:
    """The group's draws of one kind, oldest first: ``(local date, item id, cycle)``."""
    query = (
        select(RotationEntry.local_date, RotationEntry.item_id, RotationEntry.cycle)
        .where(RotationEntry.group_id == group_id, RotationEntry.kind == kind)
        .order_by(RotationEntry.local_date)
        .limit(limit)
    )
    return [(r.local_date, r.item_id, r.cycle) for r in (await session.execute(query)).all()]


class RotationRepository:
    """:class:`bot.content.rotation.RotationLog` over one session (the caller's transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, group_id: int, kind: str, day: date) -> Drawn | None:
        """The item drawn for ``day``, if any."""
        return await get(self.session, group_id, kind, day)

    async def cycle_state(self, group_id: int, kind: str) -> CycleState:
        """The current cycle and the item ids used in it."""
        return await cycle_state(self.session, group_id, kind)

    async def claim(
        self, *, group_id: int, kind: str, day: date, item_id: str, cycle: int, now: datetime
    ) -> Drawn:
        """Record ``item_id`` for ``day`` unless a row exists already; return the winner."""
        return await claim(
            self.session,
            group_id=group_id,
            kind=kind,
            day=day,
            item_id=item_id,
            cycle=cycle,
            now=now,
        )

    async def replace_item(
        self, *, group_id: int, kind: str, day: date, old_item_id: str, item_id: str, cycle: int
    ) -> Drawn:
        """Swap a day's vanished item for another (compare-and-set); return the winner."""
        return await replace_item(
            self.session,
            group_id=group_id,
            kind=kind,
            day=day,
            old_item_id=old_item_id,
            item_id=item_id,
            cycle=cycle,
        )
