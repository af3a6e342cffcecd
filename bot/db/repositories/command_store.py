"""The core's :class:`~bot.core.store.CommandStore` port over the repositories."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.models import Actor, SpaceRef
from bot.core.refs import Membership
from bot.core.store import AuditNote
from bot.db.repositories import audit, inbox, settings, spaces


class SqlCommandStore:
    """Resolves members, reads and writes settings, audits and settles inbox entries."""

    async def resolve(
        self, session: AsyncSession, space: SpaceRef, actor: Actor, now: datetime
    ) -> Membership:
        """See :meth:`bot.core.store.CommandStore.resolve`."""
        return await spaces.resolve(session, space, actor, now)

    async def load_settings(
        self, session: AsyncSession, group_id: int, scope: str | None = None
    ) -> dict[str, Any]:
        """See :meth:`bot.core.store.CommandStore.load_settings`."""
        return await settings.load(session, group_id, scope or settings.GROUP_SCOPE)

    async def store_settings(
        self,
        session: AsyncSession,
        group_id: int,
        values: Mapping[str, Any],
        now: datetime,
        scope: str | None = None,
    ) -> None:
        """See :meth:`bot.core.store.CommandStore.store_settings`."""
        for key, value in values.items():
            await settings.put(session, group_id, key, value, now, scope or settings.GROUP_SCOPE)

    async def audit(self, session: AsyncSession, note: AuditNote, now: datetime) -> None:
        """See :meth:`bot.core.store.CommandStore.audit`."""
        await audit.record(
            session,
            group_id=note.group_id,
            actor_member_id=note.actor_member_id,
            actor_label=note.actor_label,
            action=note.action,
            now=now,
            target=note.target,
            before=note.before,
            after=note.after,
            reason=note.reason,
        )

    async def mark_done(
        self, session: AsyncSession, inbox_key: str, text: str, now: datetime
    ) -> bool:
        """See :meth:`bot.core.store.CommandStore.mark_done`."""
        return await inbox.mark_done(session, inbox_key, text, now)


#: The one instance (it holds no state); the composition root puts it in ``Services.store``.
STORE = SqlCommandStore()
