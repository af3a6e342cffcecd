"""The queries behind streak reminders: who wants them, who is settled, how to reach them.

:mod:`bot.scheduling.reminders` decides when to nudge; this module reads the members,
check-ins, excused days, identities and stats it needs, returning plain values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn, ExcusedDay, Identity, Member, MemberStats, Space
from bot.db.repositories.schedule import SpaceRow


@dataclass(frozen=True)
class Reach:
    """One way to reach a member: their user id in a space.

    Attributes:
        platform_user_id: The member's id on the space's platform.
        space: The space (its platform, guild or workspace id).
    """

    platform_user_id: str
    space: SpaceRow


async def reminder_members(session: AsyncSession, group_id: int) -> list[tuple[int, str | None]]:
    """``(member id, timezone override)`` of the group's members with reminders on."""
    query = select(Member.id, Member.timezone).where(
        Member.group_id == group_id, Member.reminders.is_(True)
    )
    return [(int(member_id), tz) for member_id, tz in (await session.execute(query)).all()]


async def member_timezone(session: AsyncSession, member_id: int) -> str | None:
    """A member's timezone override (``None`` when unset or the member is gone)."""
    member = await session.get(Member, member_id)
    return member.timezone if member else None


async def settled(session: AsyncSession, group_id: int, due: Mapping[int, date]) -> set[int]:
    """Members (of ``due``: member → their local day) who checked in or are excused that day."""
    ids = list(due)
    days = set(due.values())
    checked = await session.execute(
        select(CheckIn.member_id, CheckIn.local_date).where(
            CheckIn.member_id.in_(ids), CheckIn.local_date.in_(days)
        )
    )
    done = {member for member, day in checked if due[member] == day}
    excused = await session.execute(
        select(ExcusedDay.member_id, ExcusedDay.day).where(
            ExcusedDay.group_id == group_id,
            ExcusedDay.day.in_(days),
            or_(ExcusedDay.member_id.is_(None), ExcusedDay.member_id.in_(ids)),
        )
    )
    for member, day in excused:
        done |= {m for m in ids if due[m] == day and member in (None, m)}
    return done


async def reaches(session: AsyncSession, member_id: int) -> list[Reach]:
    """The member's identities with their spaces, oldest identity first."""
    query = (
        select(Identity.platform_user_id, Space)
        .join(Space, Space.id == Identity.space_id)
        .where(Identity.member_id == member_id)
        .order_by(Identity.id)
    )
    return [
        Reach(str(user_id), SpaceRow(s.id, s.group_id, s.platform, s.external_id, s.name))
        for user_id, s in (await session.execute(query)).all()
    ]


async def current_run(session: AsyncSession, member_id: int, today: date) -> int:
    """The member's live streak on ``today`` (0 when it has ended)."""
    row = (
        await session.execute(
            select(MemberStats.run, MemberStats.alive_until).where(
                MemberStats.member_id == member_id
            )
        )
    ).first()
    if row is None or row.alive_until is None or row.alive_until < today:
        return 0
    return int(row.run)


async def members_with_reminders(session: AsyncSession, group_id: int) -> int:
    """How many members of the group have reminders on."""
    query = select(func.count()).where(Member.group_id == group_id, Member.reminders.is_(True))
    return int((await session.execute(query)).scalar_one())
