"""The bundle of long-lived services handed to handlers and jobs (dependency injection)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.commands import Registry
from bot.core.inbox import Inbox
from bot.core.ports import Component
from bot.core.settings_specs import SettingSpec
from bot.core.store import CommandStore

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.content.store import ContentStore

GroupHook = Callable[[int], Awaitable[None]]


@dataclass
class Services:
    """Everything a handler or job may need, built once by the composition root.

    Attributes:
        settings: Process settings.
        clock: The clock in use (real or simulated).
        sessions: Factory for database sessions.
        registry: Commands, actions and completers.
        content: The learning content.
        store: The database behind the core's storage port (``bot.db.repositories.command_store``).
        setting_specs: Per-group settings moderators may change, by key.
        settings_changed: Called with a group id after a change to its settings commits
            (the scheduler rebuilds that group's jobs).
        checkins: The check-in service and its batching writer
            (:class:`bot.features.checkins.checkin_service.CheckinService`), once built.
        schedule: The scheduler and its background posts
            (:class:`bot.features.schedule.runtime.ScheduleRuntime`), once built.
        loop_lag: The event-loop lag probe (:class:`bot.ops.loop_lag.LoopLagProbe`), when an
            HTTP server serves ``/metrics``.
        celebrations: Milestone celebrations and role rewards
            (:class:`bot.features.awards.celebrate.Celebrations`), once built.
        inbox: The durable inbox Slack and Discord store commands in before the ack
            (:class:`bot.db.inbox_store.InboxStore`, typed by its core port).

    The last four are typed by the core's :class:`~bot.core.ports.Component` port, since
    the core cannot name feature types; each feature's accessor (``checkins_of``,
    ``runtime_of``) narrows it to the concrete class.
    """

    settings: Settings
    clock: Clock
    sessions: async_sessionmaker[AsyncSession]
    registry: Registry
    content: ContentStore
    store: CommandStore
    setting_specs: dict[str, SettingSpec] = field(default_factory=dict)
    settings_changed: list[GroupHook] = field(default_factory=list)
    checkins: Component | None = None
    schedule: Component | None = None
    loop_lag: Component | None = None
    celebrations: Component | None = None
    inbox: Inbox | None = None

    async def notify_settings_changed(self, group_id: int) -> None:
        """Run every ``settings_changed`` hook for ``group_id``."""
        for hook in self.settings_changed:
            await hook(group_id)
