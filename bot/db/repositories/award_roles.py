"""The SQL of role rewards: awards waiting for their roles, and where to grant them.

:mod:`bot.features.awards.roles` grants the roles through the messenger; this module
finds the pending awards (``roles='pending'``), the spaces and accounts they are granted
in, and records each award's outcome. The rules themselves are in
:mod:`bot.db.repositories.awards`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update

from bot.db.models import Identity, Space
from bot.db.models_recognition import Award
from bot.db.sessions import Session


async def pending(session: Session, group_id: int, limit: int) -> list[Award]:
    """The group's oldest ``limit`` awards whose roles are not granted yet."""
    query = (
        select(Award)
        .where(Award.group_id == group_id, Award.roles == "pending")
        .order_by(Award.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def spaces(session: Session, space_ids: Iterable[int]) -> dict[int, Space]:
    """The space rows of ``space_ids`` (those that still exist), by id."""
    query = select(Space).where(Space.id.in_(set(space_ids)))
    return {s.id: s for s in (await session.execute(query)).scalars()}


async def accounts(session: Session, member_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    """Each member's platform user id per space: ``{(member_id, space_id): user_id}``."""
    query = select(Identity).where(Identity.member_id.in_(set(member_ids)))
    return {
        (row.member_id, row.space_id): row.platform_user_id
        for row in (await session.execute(query)).scalars()
    }


async def settle(session: Session, award_id: int, outcome: str) -> None:
    """Record an award's role outcome (``done`` or ``failed``)."""
    await session.execute(update(Award).where(Award.id == award_id).values(roles=outcome))


async def groups_pending(session: Session) -> list[int]:
    """The groups with awards whose roles are still to grant, ascending."""
    query = select(Award.group_id).where(Award.roles == "pending").distinct()
    return sorted(set((await session.execute(query)).scalars()))
