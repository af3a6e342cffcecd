"""The ``link_codes`` table and the audit rows that count wrong attempts.

Codes are looked up by hash only; a code is used up with a conditional ``UPDATE`` so
that of two redeems racing for one code exactly one changes a row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, LinkCode

#: The audit action recorded for every rejected code (what the attempt limit counts).
REJECTED_ACTION = "link.code_rejected"
#: Used and expired codes are kept this long (for support questions), then deleted.
KEEP_OLD = timedelta(days=7)


async def insert(
    session: AsyncSession,
    *,
    kind: str,
    code_hash: str,
    group_id: int,
    space_id: int | None,
    member_id: int | None,
    now: datetime,
    expires_at: datetime,
) -> LinkCode:
    """Store a new code (its hash only)."""
    row = LinkCode(
        kind=kind,
        code_hash=code_hash,
        group_id=group_id,
        space_id=space_id,
        member_id=member_id,
        created_at=now,
        expires_at=expires_at,
        used_at=None,
    )
    session.add(row)
    await session.flush()
    return row


async def issued_since(session: AsyncSession, member_id: int, since: datetime) -> list[datetime]:
    """When ``member_id`` was given codes since ``since``, oldest first."""
    query = (
        select(LinkCode.created_at)
        .where(LinkCode.member_id == member_id, LinkCode.created_at > since)
        .order_by(LinkCode.created_at)
    )
    return list((await session.execute(query)).scalars())


async def revoke_unused(
    session: AsyncSession,
    kind: str,
    *,
    member_id: int | None,
    space_id: int | None,
    now: datetime,
) -> int:
    """End the live codes of one member (or one space) early; returns how many."""
    query = update(LinkCode).where(
        LinkCode.kind == kind, LinkCode.used_at.is_(None), LinkCode.expires_at > now
    )
    if member_id is not None:
        query = query.where(LinkCode.member_id == member_id)
    if space_id is not None:
        query = query.where(LinkCode.space_id == space_id)
    result = cast(CursorResult[tuple[()]], await session.execute(query.values(expires_at=now)))
    return result.rowcount


async def revoke_for_space(session: AsyncSession, space_id: int, now: datetime) -> int:
    """End every live code made in ``space_id`` (the space is changing groups)."""
    query = (
        update(LinkCode)
        .where(LinkCode.space_id == space_id, LinkCode.used_at.is_(None), LinkCode.expires_at > now)
        .values(expires_at=now)
    )
    result = cast(CursorResult[tuple[()]], await session.execute(query))
    return result.rowcount


async def purge_old(session: AsyncSession, now: datetime) -> None:
    """Delete codes that expired more than :data:`KEEP_OLD` ago."""
    await session.execute(delete(LinkCode).where(LinkCode.expires_at < now - KEEP_OLD))


async def find_live(
    session: AsyncSession, code_hash: str, kind: str, now: datetime
) -> LinkCode | None:
    """The unused, unexpired code of ``kind`` with this hash, if any."""
    query = select(LinkCode).where(
        LinkCode.code_hash == code_hash,
        LinkCode.kind == kind,
        LinkCode.used_at.is_(None),
        LinkCode.expires_at > now,
    )
    return (await session.execute(query)).scalar_one_or_none()


async def consume(session: AsyncSession, code_id: int, now: datetime) -> bool:
    """Use a code up; ``True`` only for the one caller whose UPDATE changed the row."""
    query = (
        update(LinkCode)
        .where(LinkCode.id == code_id, LinkCode.used_at.is_(None), LinkCode.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[tuple[()]], await session.execute(query))
    return result.rowcount == 1


async def failures_since(
    session: AsyncSession, group_id: int, member_id: int, since: datetime
) -> list[datetime]:
    """When ``member_id``'s rejected codes were entered since ``since``, oldest first.

    Filtering by group first lets the ``(group_id, created_at)`` index find the window.
    """
    query = (
        select(AuditEntry.created_at)
        .where(
            AuditEntry.group_id == group_id,
            AuditEntry.actor_member_id == member_id,
            AuditEntry.action == REJECTED_ACTION,
            AuditEntry.created_at > since,
        )
        .order_by(AuditEntry.created_at)
    )
    return list((await session.execute(query)).scalars())
