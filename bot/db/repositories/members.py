"""Reading and changing one member by id: the only way a handler changes a member.

Handlers hold frozen :class:`~bot.core.refs.MemberRef` values; a change goes through
:func:`update`, which writes the row and returns the new reference.
"""

from __future__ import annotations

from enum import Enum
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.refs import MemberRef
from bot.db.models import Member
from bot.db.refs import member_ref


class _Keep(Enum):
    KEEP = "keep"


#: "Leave this field as it is" (``None`` is a value: a member's timezone may be unset).
KEEP: Final = _Keep.KEEP


async def get(session: AsyncSession, member_id: int) -> MemberRef:
    """The member with this id (the caller knows it exists)."""
    return member_ref(await session.get_one(Member, member_id))


async def find(session: AsyncSession, member_id: int) -> MemberRef | None:
    """The member with this id, if there is one."""
    row = await session.get(Member, member_id)
    return None if row is None else member_ref(row)


async def update(
    session: AsyncSession,
    member_id: int,
    *,
    timezone: str | _Keep | None = KEEP,
    hidden: bool | _Keep = KEEP,
    reminders: bool | _Keep = KEEP,
) -> MemberRef:
    """Change a member's own preferences; returns the member as now stored.

    ``hidden`` here is only the member's row: the boards keep copies of it, so a caller
    that changes it also tells the check-in service (``CheckinService.set_hidden``).
    """
    row = await session.get_one(Member, member_id)
    if not isinstance(timezone, _Keep):
        row.timezone = timezone
    if not isinstance(hidden, _Keep):
        row.hidden = hidden
    if not isinstance(reminders, _Keep):
        row.reminders = reminders
    await session.flush()
    return member_ref(row)
