"""Consequences of posts that did not happen: forgiven days and blocked channels.

A local day whose daily challenge the bot could not post (it was down past the catch-up
window, the platform kept failing, or a crash left the post uncertain) gets a group-wide
``excused_days`` row, which the streak engine treats as never breaking a streak.
A channel the bot may not write to (Discord 403, Slack ``not_in_channel``) is a setup
problem rather than an outage: it is marked on the space so ``/admin schedule`` shows it,
and does not excuse the day (members can still check in with ``/done``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ExcusedDay, Space
from bot.db.repositories import settings as settings_repo

#: The per-space setting that holds the channels the bot may not write to.
BLOCKED_KEY = "posting.blocked"


async def excuse_day(
    session: AsyncSession, group_id: int, day: date, reason: str, now: datetime
) -> bool:
    """Excuse ``day`` for the whole group unless it already is; ``True`` if added."""
    existing = await session.execute(
        select(ExcusedDay.id).where(
            ExcusedDay.group_id == group_id,
            ExcusedDay.member_id.is_(None),
            ExcusedDay.day == day,
        )
    )
    if existing.first() is not None:
        return False
    session.add(
        ExcusedDay(group_id=group_id, member_id=None, day=day, reason=reason[:500], created_at=now)
    )
    await session.flush()
    return True


async def _blocked(session: AsyncSession, space: Space) -> dict[str, Any]:
    values = await settings_repo.load(session, space.group_id, settings_repo.space_scope(space.id))
    stored = values.get(BLOCKED_KEY)
    return dict(stored) if isinstance(stored, dict) else {}


async def mark_blocked(
    session: AsyncSession,
    space_id: int,
    channel_id: str,
    *,
    code: str | None,
    error: str,
    now: datetime,
) -> None:
    """Remember that the bot cannot write to ``channel_id`` (first failure kept as "since")."""
    space = await session.get_one(Space, space_id)
    blocked = await _blocked(session, space)
    previous = blocked.get(channel_id)
    since = previous.get("since") if isinstance(previous, dict) else None
    blocked[channel_id] = {
        "code": code or "error",
        "error": error[:300],
        "since": since or now.isoformat(),
        "last": now.isoformat(),
    }
    await settings_repo.put(
        session,
        space.group_id,
        BLOCKED_KEY,
        blocked,
        now,
        scope=settings_repo.space_scope(space_id),
    )


async def clear_blocked(
    session: AsyncSession, space_id: int, channel_id: str, now: datetime
) -> None:
    """Forget a blocked mark after a post got through."""
    space = await session.get_one(Space, space_id)
    blocked = await _blocked(session, space)
    if blocked.pop(channel_id, None) is not None:
        await settings_repo.put(
            session,
            space.group_id,
            BLOCKED_KEY,
            blocked,
            now,
            scope=settings_repo.space_scope(space_id),
        )
