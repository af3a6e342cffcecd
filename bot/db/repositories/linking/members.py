"""Linking one person's accounts: merging two members, and detaching an identity again.

Merging unions the two members' check-ins by local date: where both checked in on the
same date the earliest row is kept (its empty note, link or challenge filled from the
other) and the other is deleted; every other row, override, excused day and identity
moves to the surviving member. Statistics are then recomputed by the caller from the
merged rows, so nothing is lost and nothing is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.refs import IdentityRef, MemberRef, StoredSpace
from bot.db.models import (
    AuditEntry,
    CheckIn,
    ExcusedDay,
    Identity,
    LinkCode,
    Member,
    MemberStats,
    Space,
    StreakOverride,
)
from bot.db.refs import identity_ref, member_ref, space_ref
from bot.db.repositories import members as members_repo


@dataclass
class MergeCounts:
    """What a merge did, for the reply and the audit entry.

    Attributes:
        moved: Check-ins that moved from the absorbed member to the survivor.
        kept: Check-ins the survivor already had.
        dropped: Same-date duplicates removed (the later row of each date), as dicts.
        identities: Identities the survivor has after the merge.
        survivor_rows: Check-ins the survivor had before.
        absorbed_rows: Check-ins the absorbed member had before.
    """

    moved: int = 0
    kept: int = 0
    dropped: list[dict[str, Any]] = field(default_factory=list)
    identities: int = 0
    survivor_rows: int = 0
    absorbed_rows: int = 0

    @property
    def both_had_history(self) -> bool:
        """Whether this was a real merge of two histories, not just a link."""
        return self.survivor_rows > 0 and self.absorbed_rows > 0


def _row_facts(row: CheckIn) -> dict[str, Any]:
    return {
        "member_id": row.member_id,
        "local_date": row.local_date.isoformat(),
        "checked_at": row.checked_at.isoformat(),
        "platform": row.platform,
        "timezone": row.timezone,
        "challenge_id": row.challenge_id,
        "note": row.note,
        "link": row.link,
    }


async def merge_members(
    session: AsyncSession, survivor: MemberRef, absorbed: MemberRef
) -> MergeCounts:
    """Move every row of ``absorbed`` to ``survivor`` and merge their preferences.

    Rows are check-ins (unioned by date), overrides, excused days, identities and audit
    authorship. Both must be in the same group. Statistics are left to the caller: recompute both
    members (the absorbed one now has no rows), then :func:`delete_member` the absorbed.
    ``hidden`` is not merged here either, since the boards' copies must follow it.
    """
    if survivor.id == absorbed.id:
        raise ValueError("a member cannot be merged with itself")
    if survivor.group_id != absorbed.group_id:
        raise ValueError("members of different groups cannot be merged")
    counts = MergeCounts()
    query = select(CheckIn).where(CheckIn.member_id.in_((survivor.id, absorbed.id)))
    by_day: dict[date, list[CheckIn]] = {}
    for row in (await session.execute(query)).scalars():
        by_day.setdefault(row.local_date, []).append(row)
        if row.member_id == survivor.id:
            counts.survivor_rows += 1
        else:
            counts.absorbed_rows += 1
    losers: list[CheckIn] = []
    for rows in by_day.values():
        rows.sort(key=lambda r: (r.checked_at, r.id))
        winner, others = rows[0], rows[1:]
        for other in others:
            # Keep what the member wrote on the other platform that day.
            winner.note = winner.note or other.note
            winner.link = winner.link or other.link
            winner.challenge_id = winner.challenge_id or other.challenge_id
            losers.append(other)
    counts.dropped = [_row_facts(row) for row in losers]
    for row in losers:
        await session.delete(row)
    await session.flush()  # duplicates gone before the unique (member, date) re-point
    lost = {id(row) for row in losers}
    all_rows = [row for rows in by_day.values() for row in rows if id(row) not in lost]
    for row in all_rows:
        if row.member_id == absorbed.id:
            row.member_id = survivor.id
            counts.moved += 1
        else:
            counts.kept += 1
    for model in (StreakOverride, ExcusedDay, Identity):
        await session.execute(
            update(model)
            .where(model.member_id == absorbed.id)
            .values(member_id=survivor.id)
            .execution_options(synchronize_session="fetch")
        )
    counts.identities = len(await identities_of(session, survivor.id))
    await session.execute(
        update(AuditEntry)
        .where(AuditEntry.actor_member_id == absorbed.id)
        .values(actor_member_id=survivor.id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(LinkCode)
        .where(LinkCode.member_id == absorbed.id)
        .execution_options(synchronize_session=False)
    )
    await members_repo.update(
        session,
        survivor.id,
        timezone=survivor.timezone or absorbed.timezone,
        # Reminders on either side stay on (the person asked for them on one platform).
        reminders=bool(survivor.reminders or absorbed.reminders),
    )
    return counts


async def delete_member(session: AsyncSession, member_id: int) -> None:
    """Delete a member whose rows have all moved (their emptied statistics go with them)."""
    await session.execute(
        delete(MemberStats)
        .where(MemberStats.member_id == member_id)
        .execution_options(synchronize_session=False)
    )
    await session.delete(await session.get_one(Member, member_id))
    await session.flush()


async def identities_of(
    session: AsyncSession, member_id: int
) -> list[tuple[IdentityRef, StoredSpace]]:
    """A member's identities with their spaces, oldest first."""
    query = (
        select(Identity, Space)
        .join(Space, Space.id == Identity.space_id)
        .where(Identity.member_id == member_id)
        .order_by(Identity.created_at, Identity.id)
    )
    rows = (await session.execute(query)).all()
    return [(identity_ref(identity), space_ref(space)) for identity, space in rows]


async def identity_in(session: AsyncSession, member_id: int, space_id: int) -> IdentityRef:
    """The member's identity in one space (the caller knows there is one)."""
    query = select(Identity).where(Identity.member_id == member_id, Identity.space_id == space_id)
    return identity_ref((await session.execute(query)).scalar_one())


async def detach_identity(
    session: AsyncSession, identity_id: int, group_id: int, now: datetime
) -> MemberRef:
    """Give ``identity`` a fresh member of its own in ``group_id`` (no history).

    The old member keeps every check-in, override and statistic; the new member copies
    only the person's preferences (name, timezone, privacy, reminders).
    """
    identity = await session.get_one(Identity, identity_id)
    old = await session.get_one(Member, identity.member_id)
    member = Member(
        group_id=group_id,
        display_name=identity.display_name or old.display_name,
        timezone=old.timezone,
        hidden=old.hidden,
        reminders=old.reminders,
        created_at=now,
    )
    session.add(member)
    await session.flush()
    identity.member_id = member.id
    await session.flush()
    return member_ref(member)
