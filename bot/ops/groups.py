"""Finding a group from what an operator types: its id or its name."""

from __future__ import annotations

from bot.db.models import Group
from bot.db.repositories import groups
from bot.db.repositories.spaces import spaces_of_group
from bot.db.sessions import Session


class GroupNotFound(LookupError):
    """No single group matches; the message lists the groups there are."""


async def find_group(session: Session, ref: str) -> Group:
    """The group whose id is ``ref``, or whose name is ``ref`` (case-insensitive).

    Raises:
        GroupNotFound: If none or several groups match.
    """
    ref = ref.strip()
    if ref.isdigit():
        group = await groups.by_id(session, int(ref))
        if group is not None:
            return group
    matches = await groups.named(session, ref)
    if len(matches) == 1:
        return matches[0]
    listing = await describe_groups(session)
    if matches:
        raise GroupNotFound(
            f"{len(matches)} groups are called {ref!r}; give the id instead:\n{listing}"
        )
    raise GroupNotFound(f"no group has the id or name {ref!r}. Groups:\n{listing}")


async def describe_groups(session: Session, limit: int = 20) -> str:
    """One line per group: id, name and spaces (for error messages)."""
    found = await groups.first(session, limit)
    if not found:
        return "  (none yet: the database is empty)"
    lines = []
    for group in found:
        spaces = await spaces_of_group(session, group.id)
        where = ", ".join(f"{s.platform} {s.external_id}" for s in spaces)
        lines.append(f"  {group.id}: {group.name} ({where or 'no spaces'})")
    return "\n".join(lines)
