"""Groups looked up by what an operator types (the CLI's ``--group``): id or name."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Group


async def by_id(session: AsyncSession, group_id: int) -> Group | None:
    """The group with id ``group_id``, if there is one."""
    return await session.get(Group, group_id)


async def named(session: AsyncSession, name: str) -> list[Group]:
    """Every group called ``name`` (case-insensitive), oldest first."""
    query = select(Group).where(func.lower(Group.name) == name.lower()).order_by(Group.id)
    return list((await session.execute(query)).scalars())


async def first(session: AsyncSession, limit: int) -> list[Group]:
    """Up to ``limit`` groups, oldest first (for listings in error messages)."""
    return list((await session.execute(select(Group).order_by(Group.id).limit(limit))).scalars())
