"""The SQL of celebrations: pending awards, their batches and the posts that announce them.

:mod:`bot.features.awards.celebrate` decides what goes into one post and delivers it
through the posts ledger; this module reads and moves the awards' ``state`` /
``post_id`` (``pending`` → ``queued`` or ``silent``), in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.engine import CursorResult

from bot.db.models import Identity, Space
from bot.db.models_recognition import Award
from bot.db.sessions import Session

_AWARDS: Table = Award.__table__  # type: ignore[assignment]


async def lock_for_batch(session: Session) -> None:
    """On SQLite, take the write lock now (a no-op on PostgreSQL).

    Called first in the batching transaction, so the reads after it cannot go stale before
    its writes (a deferred transaction would fail to upgrade after another writer). The
    statement matches no row.
    """
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(update(_AWARDS).where(_AWARDS.c.id == -1).values(state="pending"))


async def pending(session: Session, group_id: int, limit: int) -> list[Award]:
    """The group's oldest ``limit`` awards not yet announced (``state='pending'``), fresh.

    On PostgreSQL the rows are locked, skipping those another instance batching the same
    group is taking.
    """
    query = (
        select(Award)
        .where(Award.group_id == group_id, Award.state == "pending")
        .order_by(Award.id)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list((await session.execute(query)).scalars())


async def first_space(session: Session, group_id: int) -> int | None:
    """The group's oldest space (lowest id), or ``None`` when it has none left."""
    query = select(func.min(Space.id)).where(Space.group_id == group_id)
    found: int | None = (await session.execute(query)).scalar_one_or_none()
    return found


async def assign(
    session: Session, award_ids: Sequence[int], state: str, post_id: int | None
) -> int:
    """Move still-pending awards to ``state`` and ``post_id``; returns how many moved.

    Fewer than ``len(award_ids)`` means another instance took some of them first.
    """
    statement = (
        update(_AWARDS)
        .where(_AWARDS.c.id.in_(list(award_ids)), _AWARDS.c.state == "pending")
        .values(state=state, post_id=post_id)
    )
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount


async def groups_pending(session: Session) -> list[int]:
    """The groups with awards waiting to be announced, ascending."""
    query = select(Award.group_id).where(Award.state == "pending").distinct()
    return sorted(set((await session.execute(query)).scalars()))


async def of_post(session: Session, post_id: int) -> list[Award]:
    """The awards a celebration post (a ``posts`` ledger row) announces, oldest first."""
    query = select(Award).where(Award.post_id == post_id).order_by(Award.id)
    return list((await session.execute(query)).scalars())


async def space(session: Session, space_id: int) -> Space:
    """The space row (it must exist: the ledger row's key names it)."""
    return await session.get_one(Space, space_id)


async def user_id(session: Session, member_id: int, space_id: int) -> str | None:
    """The member's platform user id in the space, or ``None`` without an account there."""
    query = select(Identity.platform_user_id).where(
        Identity.member_id == member_id, Identity.space_id == space_id
    )
    return (await session.execute(query)).scalars().first()
