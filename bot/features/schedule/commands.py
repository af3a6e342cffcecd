"""``/admin setup``, ``/admin pause``, ``/admin resume`` and ``/admin post``.

Handlers only validate, store and audit inside the dispatcher's transaction; the scheduler
re-plans after the commit (``settings_changed``), and a post a moderator asks for is sent
in the background after the commit, so the reply never waits on a platform.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from bot.core.commands import Param, ParamKind, Role
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Platform, Reply
from bot.core.settings_specs import parse_timezone_name
from bot.db.repositories import posts_ledger
from bot.db.repositories import settings as settings_repo
from bot.features.schedule.describe import LABELS, channel_ref, instant_text, when_text
from bot.features.schedule.router import router
from bot.features.schedule.runtime import runtime_of
from bot.features.schedule.settings import parse_days, parse_weekday
from bot.scheduling.config import (
    CHANNEL_KEYS,
    CONSOLE_CHANNEL,
    SINCE_KEY,
    GroupSchedule,
    load_schedule,
)
from bot.scheduling.model import CHANNEL_KINDS, IN_FLIGHT, PostKey, PostKind, PostStatus
from bot.scheduling.planner import next_occurrence

_CHANNEL_IDS = {
    Platform.DISCORD: re.compile(r"\d{5,25}"),
    Platform.SLACK: re.compile(r"[CGD][A-Z0-9]{4,}"),
    Platform.CONSOLE: re.compile(r"[a-z0-9][a-z0-9_-]{0,79}"),
}


def _channel(platform: Platform, value: str) -> str:
    """The channel id a CHANNEL option gave.

    A bare name the platform did not resolve (a Slack ``#name`` that did not become a
    link) is refused: it is not a channel the bot can post to.
    """
    if not _CHANNEL_IDS[platform].fullmatch(value):
        raise UserError(
            f"I can't find a channel `#{value}`. Pick it from the list as you type `#`, so "
            "it becomes a link, and make sure I am a member of it."
        )
    return value


def _default_channel(ctx: CommandContext, stored: dict[str, Any]) -> str | None:
    configured = stored.get(CHANNEL_KEYS[PostKind.CHALLENGE])
    if configured:
        return str(configured)
    if ctx.invocation.platform is Platform.CONSOLE:
        return CONSOLE_CHANNEL
    return ctx.invocation.channel_id


def summary(schedule: GroupSchedule, space_id: int, now: datetime) -> str:
    """What this space gets and when the next of each post goes out."""
    space = next(s for s in schedule.spaces if s.space_id == space_id)
    lines = []
    for kind in CHANNEL_KINDS:
        channel = space.channels.get(kind)
        where = channel_ref(space.platform, channel) if channel else "no channel"
        line = f"**{LABELS[kind]}** → {where}, {when_text(schedule, kind)}"
        upcoming = next_occurrence(schedule.plans[kind], now) if channel else None
        if upcoming is not None:
            line += f"\n  next: {instant_text(upcoming.fire_at, schedule.tz)}"
        lines.append(line)
    hours = int(schedule.reminder_before.total_seconds() // 3600)
    lines.append(
        f"**Reminders** → {hours} h before each member's day ends (`/settings reminders:on`)"
    )
    if schedule.paused:
        lines.append("Posting is **paused**: `/admin resume` starts it again.")
    return "\n".join(lines)


@router.command(
    "setup",
    "Choose where and when the daily challenge, tips and the weekly recap are posted.",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
    params=(
        Param("channel", ParamKind.CHANNEL, "Channel for the daily challenge (default: this one)."),
        Param("time", ParamKind.TIME, "Challenge time, 24-hour HH:MM (default 09:00)."),
        Param("timezone", ParamKind.STRING, "The group's timezone, e.g. Europe/Berlin."),
        Param("days", ParamKind.STRING, "Challenge days: daily, mon-fri, tue,thu …"),
        Param("tip_channel", ParamKind.CHANNEL, "Channel for tips (default: the challenge's)."),
        Param("tip_time", ParamKind.TIME, "Tip time, HH:MM (default 12:00)."),
        Param("tip_days", ParamKind.STRING, "Tip days (default tue,thu; none turns tips off)."),
        Param("recap_day", ParamKind.STRING, "Weekday of the weekly recap (default sun), or off."),
    ),
    examples=("channel:#daily-challenge time:09:00 timezone:Europe/Berlin days:mon-fri",),
)
async def admin_setup(
    ctx: CommandContext,
    channel: str | None = None,
    time: time | None = None,
    timezone: str | None = None,
    days: str | None = None,
    tip_channel: str | None = None,
    tip_time: time | None = None,
    tip_days: str | None = None,
    recap_day: str | None = None,
) -> Reply:
    """Validate and store the posting setup of this space and group; posting starts now."""
    scope = settings_repo.space_scope(ctx.space.id)
    stored_space = await settings_repo.load(ctx.session, ctx.group.id, scope)
    platform = ctx.invocation.platform
    chosen = _channel(platform, channel) if channel else _default_channel(ctx, stored_space)
    if not chosen:
        raise UserError(
            "Which channel should I post in? Run this in that channel, or name it: "
            "`/admin setup channel:#daily-challenge time:09:00`."
        )
    group_changes: dict[str, Any] = {}
    if time is not None:
        group_changes["challenge.time"] = time.strftime("%H:%M")
    if timezone is not None:
        group_changes["timezone"] = parse_timezone_name(timezone)
    if days is not None:
        group_changes["challenge.days"] = parse_days(days)
    if tip_time is not None:
        group_changes["tip.time"] = tip_time.strftime("%H:%M")
    if tip_days is not None:
        group_changes["tip.days"] = parse_days(tip_days)
    if recap_day is not None:
        group_changes["recap.day"] = parse_weekday(recap_day)
    space_changes: dict[str, Any] = {CHANNEL_KEYS[PostKind.CHALLENGE]: chosen}
    if tip_channel is not None:
        space_changes[CHANNEL_KEYS[PostKind.TIP]] = _channel(platform, tip_channel)
    current = await ctx.settings()
    before = {key: current[key] for key in group_changes}
    before |= {key: stored_space.get(key) for key in space_changes}
    await ctx.change_settings(
        # Posting (re)starts now: earlier days of a new channel are not "missed".
        group_changes | {SINCE_KEY: ctx.now.isoformat()},
        space_changes=space_changes,
        space_scope=scope,
        action="schedule.setup",
        target=f"space:{ctx.space.id}",
        before=before,
        after=group_changes | space_changes,
    )
    schedule = await load_schedule(ctx.session, ctx.group.id)
    assert schedule is not None  # this space belongs to the group
    return Reply(
        title="Scheduled posts are set up",
        text=summary(schedule, ctx.space.id, ctx.now),
        footer="Check on them with `/admin schedule`; change one value with `/admin settings`.",
    )


async def _set_paused(ctx: CommandContext, paused: bool, reason: str | None) -> bool:
    before = bool((await ctx.settings())["posting.paused"])
    if before != paused:
        await ctx.change_settings(
            {"posting.paused": paused},
            action="schedule.pause" if paused else "schedule.resume",
            target="posting.paused",
            before=before,
            after=paused,
            reason=reason,
        )
    return before != paused


@router.command(
    "pause",
    "Pause this group's scheduled posts and reminders.",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
    params=(Param("reason", ParamKind.TEXT, "Why (kept in the audit log)."),),
    examples=("exam week",),
)
async def admin_pause(ctx: CommandContext, reason: str | None = None) -> Reply:
    """Pause posting; days while paused are skipped, never posted late."""
    changed = await _set_paused(ctx, True, reason)
    if not changed:
        return Reply(text="Posting is already paused. `/admin resume` starts it again.")
    return Reply(
        text="Scheduled posts and reminders are **paused**. Days while paused are skipped, "
        "not posted late. `/admin resume` starts them again."
    )


@router.command(
    "resume",
    "Resume this group's scheduled posts and reminders.",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
)
async def admin_resume(ctx: CommandContext) -> Reply:
    """Resume posting from the next planned post."""
    changed = await _set_paused(ctx, False, None)
    schedule = await load_schedule(ctx.session, ctx.group.id)
    assert schedule is not None
    head = "Posting is **on** again." if changed else "Posting is not paused."
    return Reply(text=f"{head}\n{summary(schedule, ctx.space.id, ctx.now)}")


@router.command(
    "post",
    "Post today's challenge, tip or recap now (once a day unless force).",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
    params=(
        Param(
            "kind",
            ParamKind.CHOICE,
            "What to post.",
            required=True,
            choices=("challenge", "tip", "recap"),
        ),
        Param(
            "mode",
            ParamKind.CHOICE,
            "force posts again even if today's already went out.",
            choices=("once", "force"),
        ),
    ),
    examples=("challenge", "tip force"),
)
async def admin_post(ctx: CommandContext, kind: str, mode: str = "once") -> Reply:
    """Post today's item of ``kind`` in this space's channel for it (else this channel)."""
    post_kind = PostKind(kind)
    schedule = await load_schedule(ctx.session, ctx.group.id)
    assert schedule is not None
    space = next(s for s in schedule.spaces if s.space_id == ctx.space.id)
    channel = space.channels.get(post_kind) or ctx.invocation.channel_id
    if not channel:
        raise UserError("Which channel? Set one with `/admin setup channel:#…` first.")
    force = mode == "force"
    key = PostKey(ctx.space.id, channel, post_kind, ctx.now.astimezone(schedule.tz).date())
    row = await posts_ledger.find(ctx.session, key)
    where = channel_ref(space.platform, channel)
    label = LABELS[post_kind].lower()
    if row is not None and PostStatus(row.status) in IN_FLIGHT:
        return Reply(text=f"Today's {label} is being posted to {where} right now.")
    if row is not None and row.status == PostStatus.SENT.value and not force:
        sent = row.sent_at.astimezone(schedule.tz) if row.sent_at else None
        at = f" at {sent:%H:%M}" if sent else ""
        return Reply(
            text=f"Today's {label} already went out to {where}{at}. "
            f"`/admin post {kind} force` posts it again."
        )
    await ctx.audit("schedule.post", target=kind, after={"channel": channel, "force": force})
    runtime = runtime_of(ctx.services)
    group_id, space_id = ctx.group.id, ctx.space.id

    async def post() -> None:
        runtime.spawn(
            runtime.scheduler.post_now(group_id, space_id, post_kind, channel, force=force)
        )

    ctx.after_commit(post)
    return Reply(text=f"Today's {label} is on its way to {where}.")
