"""The append-only audit log of moderator actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry


async def record(
    session: AsyncSession,
    *,
    group_id: int,
    actor_member_id: int | None,
    actor_label: str,
    action: str,
    now: datetime,
    target: str | None = None,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> AuditEntry:
    """Append one entry; it commits with the change it describes."""
    entry = AuditEntry(
        group_id=group_id,
        actor_member_id=actor_member_id,
        actor_label=actor_label,
        action=action,
        target=target,
        before=before,
        after=after,
        reason=reason,
        created_at=now,
    )
    session.add(entry)
    await session.flush()
    return entry


async def recent(
    session: AsyncSession, group_id: int, *, target: str | None = None, limit: int = 20
) -> list[AuditEntry]:
    """The newest entries of a group, optionally only those about ``target``."""
    query = select(AuditEntry).where(AuditEntry.group_id == group_id)
    if target is not None:
        query = query.where(AuditEntry.target == target)
    query = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())
