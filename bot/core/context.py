"""What a handler receives: the invocation, frozen references, services and one session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core.localday import local_date
from bot.core.models import Invocation
from bot.core.refs import GroupRef, IdentityRef, MemberRef, StoredSpace
from bot.core.services import Services
from bot.core.settings_change import SettingsChange, change_settings
from bot.core.store import AuditNote

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

AfterCommit = Callable[[], Awaitable[None]]


def zone(name: str | None) -> ZoneInfo:
    """A stored zone name as a zone (UTC if it is somehow no longer valid)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")


@dataclass
class GroupSettings:
    """A group's settings with defaults from the registered specs."""

    values: dict[str, Any]
    services: Services

    def __getitem__(self, key: str) -> Any:
        if key in self.values:
            return self.values[key]
        spec = self.services.setting_specs.get(key)
        if spec is None:
            raise KeyError(key)
        return spec.default

    @property
    def timezone(self) -> ZoneInfo:
        """The group's timezone (UTC if the stored name is somehow no longer valid)."""
        return zone(self["timezone"])

    @property
    def day_start(self) -> time:
        """When the group's local day starts."""
        return time.fromisoformat(self["day_start"])


@dataclass
class CommandContext:
    """Per-invocation context: everything a handler needs and nothing platform-specific.

    The dispatcher commits ``session`` after the handler returns (or rolls it back on an
    error); handlers never commit. Work that must only happen after a successful commit
    (rebuilding schedules, sending follow-up posts) is queued with :meth:`after_commit`.

    ``group``, ``space``, ``member`` and ``identity`` are frozen references
    (:mod:`bot.core.refs`), never ORM rows: a handler changes a member through
    ``bot.db.repositories.members`` and rebinds ``member`` to the reference it returns.
    """

    invocation: Invocation
    services: Services
    session: AsyncSession
    group: GroupRef
    space: StoredSpace
    member: MemberRef
    identity: IdentityRef
    is_moderator: bool
    _settings: GroupSettings | None = None
    _after_commit: list[AfterCommit] = field(default_factory=list)

    @property
    def now(self) -> datetime:
        """The current instant (UTC) from the injected clock.

        For a command run after a restart it is the instant the member sent it
        (:attr:`~bot.core.models.Invocation.sent_at`), so it counts as of then.
        """
        return self.invocation.sent_at or self.services.clock.now()

    async def settings(self) -> GroupSettings:
        """The group's settings (loaded once per invocation)."""
        if self._settings is None:
            values = await self.services.store.load_settings(self.session, self.group.id)
            self._settings = GroupSettings(values, self.services)
        return self._settings

    def forget_settings(self) -> None:
        """Drop the cached settings after a change, so later reads see it."""
        self._settings = None

    async def member_timezone(self, member: MemberRef | None = None) -> ZoneInfo:
        """The member's own timezone, else the group's."""
        member = member or self.member
        if member.timezone:
            return zone(member.timezone)
        return (await self.settings()).timezone

    async def today(self, member: MemberRef | None = None) -> date:
        """The member's (default: the caller's) local date, with the group's day start.

        This and :meth:`group_today` are the one way handlers ask what day it is.
        """
        group_settings = await self.settings()
        tz = await self.member_timezone(member)
        return local_date(self.now, tz, group_settings.day_start)

    async def group_today(self) -> date:
        """The group's local date: boards, posts and amnesties count by the group's calendar."""
        group_settings = await self.settings()
        return local_date(self.now, group_settings.timezone, group_settings.day_start)

    async def audit(
        self,
        action: str,
        *,
        target: str | None = None,
        before: Any = None,
        after: Any = None,
        reason: str | None = None,
    ) -> None:
        """Append an audit entry for a moderator change, in this transaction."""
        note = AuditNote(
            group_id=self.group.id,
            actor_member_id=self.member.id,
            actor_label=self.actor_label,
            action=action,
            target=target,
            before=before,
            after=after,
            reason=reason,
        )
        await self.services.store.audit(self.session, note, self.now)

    @property
    def actor_label(self) -> str:
        """How the audit log names the caller: ``Ada (slack)``."""
        return f"{self.member.display_name} ({self.invocation.platform.value})"

    async def change_settings(
        self,
        changes: Mapping[str, Any],
        *,
        action: str,
        target: str | None = None,
        before: Any = None,
        after: Any = None,
        reason: str | None = None,
        space_changes: Mapping[str, Any] | None = None,
        space_scope: str | None = None,
        notify: bool = True,
    ) -> None:
        """The way a command changes its group's settings, in this transaction.

        Hands the change to :func:`bot.core.settings_change.change_settings` (stores
        ``changes`` at group scope and ``space_changes`` under ``space_scope``, writes one
        audit entry), drops the cached settings so the rest of the command sees the new
        values and, once the transaction commits, tells the ``settings_changed`` hooks
        (the scheduler rebuilds the group's jobs) unless ``notify`` is off. Values are
        validated before they get here, by their :class:`~bot.core.settings_specs.SettingSpec`
        or the command's own parser.
        """
        await self.apply(
            SettingsChange(
                group_id=self.group.id,
                changes=changes,
                action=action,
                actor_member_id=self.member.id,
                actor_label=self.actor_label,
                space_changes=space_changes or {},
                space_scope=space_scope,
                target=target,
                before=before,
                after=after,
                reason=reason,
                notify=notify,
            )
        )

    async def apply(self, change: SettingsChange) -> None:
        """Apply a prepared settings change (any group) in this transaction; notify after commit."""
        notify = await change_settings(self.services.store, self.session, change, self.now)
        if change.group_id == self.group.id:
            self.forget_settings()
        if notify is not None:
            services = self.services
            self.after_commit(lambda: services.notify_settings_changed(notify))

    def after_commit(self, callback: AfterCommit) -> None:
        """Run ``callback`` once the transaction has committed successfully."""
        self._after_commit.append(callback)
