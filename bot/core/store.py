"""The core's storage port: what the dispatcher and the handler context need from a database.

The core owns this protocol and ``bot/db/repositories/command_store.py`` implements it over the
repositories; the composition root (``bot/app.py``) hands the implementation to the core
in :attr:`bot.core.services.Services.store`. So ``bot/core`` imports nothing from
``bot.db`` (an import contract in ``pyproject.toml`` checks it).

Every method runs in the caller's session (the command's one transaction); the session
type is SQLAlchemy's ``AsyncSession``, which the core names only for type checking: it
passes the session through and never builds a query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.models import Actor, SpaceRef
from bot.core.refs import Membership

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class AuditNote:
    """One audit entry to append: who did what to which group, with before and after."""

    group_id: int
    actor_member_id: int | None
    actor_label: str
    action: str
    target: str | None = None
    before: Any = None
    after: Any = None
    reason: str | None = None


class CommandStore(Protocol):
    """The unit-of-work operations of one command (implemented in ``bot.db``)."""

    async def resolve(
        self, session: AsyncSession, space: SpaceRef, actor: Actor, now: datetime
    ) -> Membership:
        """The invocation's group, space, member and identity (created on first contact)."""
        ...

    async def load_settings(
        self, session: AsyncSession, group_id: int, scope: str | None = None
    ) -> dict[str, Any]:
        """A group's stored settings (group scope unless ``scope``) as ``{key: value}``."""
        ...

    async def store_settings(
        self,
        session: AsyncSession,
        group_id: int,
        values: Mapping[str, Any],
        now: datetime,
        scope: str | None = None,
    ) -> None:
        """Store ``values`` (group scope unless ``scope``); only the settings service calls it."""
        ...

    async def audit(self, session: AsyncSession, note: AuditNote, now: datetime) -> None:
        """Append one audit entry; it commits with the change it describes."""
        ...

    async def mark_done(
        self, session: AsyncSession, inbox_key: str, text: str, now: datetime
    ) -> bool:
        """Move an inbox entry to done with its reply; ``False`` if another run already did."""
        ...
