"""The one place that changes a group's settings, for commands and background jobs alike.

:func:`change_settings` stores the values through the core's
:class:`~bot.core.store.CommandStore` port, writes one audit entry and returns the
group to tell once the transaction commits. :meth:`CommandContext.change_settings
<bot.core.context.CommandContext.change_settings>` wraps it for handlers (it also drops the
command's cached settings and queues the notification after commit); a job that runs
outside a command calls it in its own transaction and, after that commits, calls
:meth:`Services.notify_settings_changed <bot.core.services.Services.notify_settings_changed>`
for the returned group. ``tests/core/test_one_settings_writer.py`` fails if any other
module writes the settings table.

Values arrive validated: by their :class:`~bot.core.settings_specs.SettingSpec`'s parser or
the command's own, since only the caller knows the text they came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.core.store import AuditNote, CommandStore

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

#: The audit label of changes the bot makes on its own (no member asked for them).
BOT_LABEL = "studybot"


@dataclass(frozen=True)
class SettingsChange:
    """One change of one group's settings.

    Attributes:
        group_id: The group whose settings change.
        changes: Group-scope values by key.
        action: The audit action; ``None`` for bookkeeping the bot keeps for itself (a
            channel's last failure time, when posting started), which is not audited.
        actor_member_id: Who asked (``None`` for the bot itself).
        actor_label: How the audit log names them.
        space_changes: Values under ``space_scope`` (per-space values such as channels).
        space_scope: The scope of ``space_changes``.
        target: The audit entry's target.
        before: The audit entry's "before" (default: none).
        after: The audit entry's "after" (default: every value written).
        reason: The audit entry's reason.
        notify: Whether the ``settings_changed`` hooks run after commit (the scheduler
            rebuilds the group's jobs).
    """

    group_id: int
    changes: Mapping[str, Any]
    action: str | None
    actor_member_id: int | None = None
    actor_label: str = BOT_LABEL
    space_changes: Mapping[str, Any] = field(default_factory=dict)
    space_scope: str | None = None
    target: str | None = None
    before: Any = None
    after: Any = None
    reason: str | None = None
    notify: bool = True


async def change_settings(
    store: CommandStore, session: AsyncSession, change: SettingsChange, now: datetime
) -> int | None:
    """Store ``change`` and audit it, in ``session``'s transaction.

    Returns:
        The group id to notify once the transaction commits (``None`` when
        ``change.notify`` is off). The caller notifies only after its commit, so the
        scheduler never rebuilds from values that were rolled back.
    """
    if change.changes:
        await store.store_settings(session, change.group_id, change.changes, now)
    if change.space_changes:
        assert change.space_scope is not None, "space changes need their scope"
        await store.store_settings(
            session, change.group_id, change.space_changes, now, scope=change.space_scope
        )
    if change.action is not None:
        written = dict(change.changes) | dict(change.space_changes)
        note = AuditNote(
            group_id=change.group_id,
            actor_member_id=change.actor_member_id,
            actor_label=change.actor_label,
            action=change.action,
            target=change.target,
            before=change.before,
            after=written if change.after is None else change.after,
            reason=change.reason,
        )
        await store.audit(session, note, now)
    return change.group_id if change.notify else None
