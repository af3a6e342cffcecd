"""``/admin amnesty DATE [REASON]`` (forgive a day for everyone) and ``/admin audit``.

An amnesty excuses one of the group's local dates for every member, e.g. after an outage:
it never breaks a streak and never uses a freeze. It is recorded and audited in the
command's transaction; then every member's figures are replayed in batches of
:data:`RECOMPUTE_BATCH` (each its own short transaction, so check-ins keep flowing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from bot.core.commands import Param, ParamKind, Role
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply
from bot.core.services import Services
from bot.db.models import AuditEntry
from bot.db.repositories import audit as audit_repo
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories import settings as settings_repo
from bot.db.repositories import stats as stats_repo
from bot.features.awards.celebrate import celebrate_soon
from bot.features.awards.earn import Cause
from bot.features.checkins.checkin_service import checkins_of
from bot.features.checkins.router import router
from bot.features.checkins.rules import policy_from
from bot.features.checkins.service import group_today
from bot.features.checkins.streak_view import resolve_member

log = logging.getLogger(__name__)

RECOMPUTE_BATCH = 500
AMNESTY_PAST_DAYS = 365


async def recompute_group(services: Services, group_id: int, cause: Cause | None = None) -> int:
    """Replay every member of a group under its current rules; returns how many.

    Milestones the replay crosses (an amnesty restoring streaks) are earned with ``cause``
    and celebrated afterwards in one batched post, not one per member.
    """
    checkins = checkins_of(services)
    async with services.sessions() as session:
        members = await stats_repo.member_ids(session, group_id)
        policy = policy_from(await settings_repo.load(session, group_id))
    for first in range(0, len(members), RECOMPUTE_BATCH):
        chunk = members[first : first + RECOMPUTE_BATCH]
        async with services.sessions() as session, session.begin():
            await checkins.recompute(session, chunk, policy, services.clock.now(), cause=cause)
    if cause is not None:
        await celebrate_soon(services, group_id)
    return len(members)


@router.command(
    "amnesty",
    "Excuse one day for every member (an outage): it never breaks a streak.",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
    params=(
        Param("day", ParamKind.DATE, "The group's local date to excuse.", required=True),
        Param("reason", ParamKind.TEXT, "Why (shown in the audit log)."),
    ),
    examples=("2026-03-01 the bot was down all day",),
)
async def amnesty(ctx: CommandContext, day: date, reason: str | None = None) -> Reply:
    """Excuse ``day`` group-wide, audit it, then recompute every member's streak."""
    today = await group_today(ctx)
    if not today - timedelta(days=AMNESTY_PAST_DAYS) <= day <= today + timedelta(days=1):
        raise UserError(f"Pick a day from the last year up to tomorrow (today is {today}).")
    why = (reason or "amnesty").strip()
    added = await stats_repo.add_excused(ctx.session, ctx.group.id, None, [day], why, ctx.now)
    if not added:
        raise UserError(f"{day.isoformat()} is already excused for everyone.")
    await ctx.audit(
        "streak.amnesty", target=day.isoformat(), after={"day": day.isoformat()}, reason=why
    )
    members = len(await stats_repo.member_ids(ctx.session, ctx.group.id))
    services, group_id = ctx.services, ctx.group.id

    cause = Cause(
        "amnesty", note=f"amnesty of {day.isoformat()}: {why}"[:500], space_id=ctx.space.id
    )

    async def recompute() -> None:
        count = await recompute_group(services, group_id, cause)
        log.info("amnesty %s: recomputed %d members of group %d", day, count, group_id)

    ctx.after_commit(recompute)
    return Reply(
        text=(
            f"{day.isoformat()} is excused for everyone: it never breaks a streak or uses a "
            f"freeze. Streaks recomputed for {members} member{'' if members == 1 else 's'}. "
            "Audited."
        )
    )


def _plain(value: Any) -> str:
    """A stored value as people write it: ``on``/``off``, ``a, b``, ``none``."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value) or "none"
    return "none" if value is None else str(value)


def _value(value: Any, show: Callable[[Any], str] = _plain) -> str:
    """An audited before/after: a setting's value, or a few named figures."""
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            name = str(key).replace("_", " ")
            if isinstance(item, bool):  # a flag reads as its name: "force", not "force True"
                parts.append(name if item else f"not {name}")
            elif key == "channel" and isinstance(item, str):
                parts.append(f"channel #{item}")
            else:
                parts.append(f"{name} {_plain(item)}")
        return ", ".join(parts) or "-"
    return "-" if value is None else show(value)


def _shower(ctx: CommandContext, entry: AuditEntry) -> Callable[[Any], str]:
    """How to show the entry's values: a group setting the way `/admin settings` does."""
    spec = ctx.services.setting_specs.get(entry.target or "")
    if entry.action != "settings.change" or spec is None:
        return _plain
    return spec.show


async def _target_label(ctx: CommandContext, target: str | None) -> str:
    if target and target.startswith("member:") and target[7:].isdigit():
        names = await checkins_repo.display_names(ctx.session, [int(target[7:])], ctx.space.id)
        return names.get(int(target[7:]), target)
    return target or "-"


def _line(entry: AuditEntry, target: str, show: Callable[[Any], str] | None = None) -> str:
    show = show or _plain
    line = (
        f"`{entry.created_at:%Y-%m-%d %H:%M}` {entry.actor_label} · **{entry.action}** · {target}"
    )
    if entry.before is not None or entry.after is not None:
        line += f" · {_value(entry.before, show)} → {_value(entry.after, show)}"
    if entry.reason:
        line += f" · “{entry.reason}”"
    return line


@router.command(
    "audit",
    "The audit log of moderator changes, newest first (optionally about one member).",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
    params=(
        Param("member", ParamKind.MEMBER, "Only changes to this member.", autocomplete="members"),
        Param(
            "limit", ParamKind.INTEGER, "How many entries (default 20).", min_value=1, max_value=50
        ),
    ),
    examples=("", "@ann", "limit:50"),
)
async def audit_log(ctx: CommandContext, member: str | None = None, limit: int = 20) -> Reply:
    """Show the newest audit entries."""
    target = None
    if member:
        target = f"member:{(await resolve_member(ctx, member)).id}"
    entries: Sequence[AuditEntry] = await audit_repo.recent(
        ctx.session, ctx.group.id, target=target, limit=limit
    )
    if not entries:
        return Reply(
            text="No moderator changes recorded yet."
            if not member
            else f"No moderator changes about {member} yet."
        )
    lines = [
        _line(entry, await _target_label(ctx, entry.target), _shower(ctx, entry))
        for entry in entries
    ]
    return Reply(title="Audit log", text="\n".join(lines), footer="Times are UTC.")
