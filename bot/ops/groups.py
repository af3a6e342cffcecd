"""Finding a group from what an operator types: its id or its name."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Group, Space


class GroupNotFound(LookupError):
    """No single group matches; the message lists the groups there are."""


async def find_group(session: AsyncSession, ref: str) -> Group:
    """The group whose id is ``ref``, or whose name is ``ref`` (case-insensitive).

    Raises:
        GroupNotFound: If none or several groups match.
    """
    ref = ref.strip()
    if ref.isdigit():
        group = await session.get(Group, int(ref))
        if group is not None:
            return group
    query = select(Group).where(func.lower(Group.name) == ref.lower()).order_by(Group.id)
    matches = list((await session.execute(query)).scalars())
    if len(matches) == 1:
        return matches[0]
    listing = await describe_groups(session)
    if matches:
        raise GroupNotFound(
            f"{len(matches)} groups are called {ref!r}; give the id instead:\n{listing}"
        )
    raise GroupNotFound(f"no group has the id or name {ref!r}. Groups:\n{listing}")


async def describe_groups(session: AsyncSession, limit: int = 20) -> str:
    """One line per group: id, name and spaces (for error messages)."""
    groups = list((await session.execute(select(Group).order_by(Group.id).limit(limit))).scalars())
    if not groups:
        return "  (none yet: the database is empty)"
    lines = []
    for group in groups:
        spaces = (await session.execute(select(Space).where(Space.group_id == group.id))).scalars()
        where = ", ".join(f"{s.platform} {s.external_id}" for s in spaces)
        lines.append(f"  {group.id}: {group.name} ({where or 'no spaces'})")
    return "\n".join(lines)
