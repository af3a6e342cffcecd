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

from bot.core.settings_change import SettingsChange, change_settings
from bot.db.models import ExcusedDay, Space
from bot.db.repositories import settings as settings_repo
from bot.db.repositories.command_store import STORE

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
    # Through the one settings writer; audited when the channel becomes blocked (later
    # failures only move "last"). The schedule does not change, so nobody is notified.
    change = SettingsChange(
        group_id=space.group_id,
        changes={},
        action="channel.blocked" if previous is None else None,
        space_changes={BLOCKED_KEY: blocked},
        space_scope=settings_repo.space_scope(space_id),
        target=f"channel:{channel_id}",
        after={"code": code or "error"},
        reason=error[:300],
        notify=False,
    )
    await change_settings(STORE, session, change, now)


async def clear_blocked(
    session: AsyncSession, space_id: int, channel_id: str, now: datetime
) -> None:
    """Forget a blocked mark after a post got through."""
    space = await session.get_one(Space, space_id)
    blocked = await _blocked(session, space)
    if blocked.pop(channel_id, None) is not None:
        change = SettingsChange(
            group_id=space.group_id,
            changes={},
            action="channel.unblocked",
            space_changes={BLOCKED_KEY: blocked},
            space_scope=settings_repo.space_scope(space_id),
            target=f"channel:{channel_id}",
            reason="a post got through",
            notify=False,
        )
        await change_settings(STORE, session, change, now)
