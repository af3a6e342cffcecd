"""ORM rows to the core's frozen references (:mod:`bot.core.refs`).

Repositories hand these to handlers instead of rows, so nothing outside ``bot/db``
changes a row by assigning to it and relying on the session's flush.
"""

from __future__ import annotations

from bot.core.refs import GroupRef, IdentityRef, MemberRef, StoredSpace
from bot.db.models import Group, Identity, Member, Space


def group_ref(row: Group) -> GroupRef:
    """A group row as a reference."""
    return GroupRef(id=row.id, name=row.name)


def space_ref(row: Space) -> StoredSpace:
    """A space row as a reference."""
    return StoredSpace(
        id=row.id,
        group_id=row.group_id,
        platform=row.platform,
        external_id=row.external_id,
        name=row.name or "",
    )


def member_ref(row: Member) -> MemberRef:
    """A member row as a reference."""
    return MemberRef(
        id=row.id,
        group_id=row.group_id,
        display_name=row.display_name,
        timezone=row.timezone,
        hidden=bool(row.hidden),
        reminders=bool(row.reminders),
    )


def identity_ref(row: Identity) -> IdentityRef:
    """An identity row as a reference."""
    return IdentityRef(
        id=row.id,
        member_id=row.member_id,
        space_id=row.space_id,
        platform_user_id=row.platform_user_id,
        display_name=row.display_name or "",
    )
