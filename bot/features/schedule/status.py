"""``/admin schedule``: the health of the group's scheduled posts at a glance.

Per post kind: where and when it posts, the next run in local and UTC time, and the last
posts with their status; then every missed, failed or uncertain post of the last two
weeks with its reason, channels the bot cannot write to, and reminder figures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.commands import Role
from bot.core.context import CommandContext
from bot.core.models import Reply, ReplyField
from bot.db.repositories import posts_history as history
from bot.db.repositories.reminders import members_with_reminders
from bot.features.awards.roles import role_problems
from bot.features.schedule.describe import (
    LABELS,
    channel_ref,
    instant_text,
    row_text,
    when_text,
)
from bot.features.schedule.router import router
from bot.scheduling.config import GroupSchedule, load_schedule
from bot.scheduling.model import CHANNEL_KINDS, PostKind, PostStatus
from bot.scheduling.planner import next_occurrence

RECENT = 3
PROBLEM_DAYS = 14


@router.command(
    "schedule",
    "Show scheduled posts: next runs, recent posts, and missed or failed ones.",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
)
async def admin_schedule(ctx: CommandContext) -> Reply:
    """Report the group's posting schedule and recent history."""
    schedule = await load_schedule(ctx.session, ctx.group.id)
    assert schedule is not None  # the invoking space belongs to the group
    now = ctx.now
    tz = schedule.tz
    platforms = {space.space_id: space.platform for space in schedule.spaces}
    space_ids = list(platforms)
    fields = []
    for kind in CHANNEL_KINDS:
        lines = _plan_lines(schedule, kind, now)
        for row in await history.recent(ctx.session, space_ids, kind, limit=RECENT):
            lines.append("- " + row_text(row, tz, platforms.get(row.space_id)))
        fields.append(ReplyField(LABELS[kind], "\n".join(lines)))
    since = now.astimezone(tz).date() - timedelta(days=PROBLEM_DAYS)
    problems = await history.problems(ctx.session, space_ids, since)
    if problems:
        lines = [
            f"- {LABELS[PostKind(row.kind)]}: {row_text(row, tz, platforms.get(row.space_id))}"
            for row in problems
        ]
        fields.append(ReplyField(f"Missed or failed (last {PROBLEM_DAYS} days)", "\n".join(lines)))
    blocked = [
        f"- {channel_ref(space.platform, channel)}: the bot cannot write there "
        f"({info.get('code', 'error')}, since {str(info.get('since', '?'))[:16]} UTC). "
        "Give it access, then `/admin post challenge`."
        for space in schedule.spaces
        for channel, info in space.blocked.items()
        if isinstance(info, dict)
    ]
    if blocked:
        fields.append(ReplyField("Channels the bot cannot write to", "\n".join(blocked)))
    fields.append(await _reminder_field(ctx, schedule, space_ids))
    refused = await role_problems(ctx.session, ctx.group.id)
    if refused:
        fields.append(ReplyField("Role rewards the bot could not grant", "\n".join(refused)))
    state = "**paused** (`/admin resume`)" if schedule.paused else "on"
    local = now.astimezone(tz)
    return Reply(
        title="Scheduled posts",
        text=(
            f"Posting is {state} · timezone {tz.key} · now {local:%a %H:%M} "
            f"({now:%H:%M} UTC) · late posts caught up for "
            f"{int(schedule.catchup.total_seconds() // 3600)} h"
        ),
        fields=tuple(fields),
        footer="Change times with `/admin setup` or `/admin settings`; post now with "
        "`/admin post challenge|tip|recap`.",
    )


def _plan_lines(schedule: GroupSchedule, kind: PostKind, now: datetime) -> list[str]:
    targets = schedule.targets(kind)
    if not targets:
        return ["not posted here yet: name a channel with `/admin setup`"]
    where = ", ".join(channel_ref(t.platform, t.channel_id) for t in targets)
    lines = [f"{where} · {when_text(schedule, kind)}"]
    if schedule.since is None:
        lines.append("not started: run `/admin setup`")
        return lines
    upcoming = next_occurrence(schedule.plans[kind], now)
    if upcoming is not None:
        lines.append(f"next: {instant_text(upcoming.fire_at, schedule.tz)}")
    return lines


async def _reminder_field(
    ctx: CommandContext, schedule: GroupSchedule, space_ids: list[int]
) -> ReplyField:
    count = await members_with_reminders(ctx.session, schedule.group_id)
    since = ctx.now.astimezone(schedule.tz).date() - timedelta(days=7)
    counts = await history.status_counts(ctx.session, space_ids, PostKind.REMINDER, since)
    hours = int(schedule.reminder_before.total_seconds() // 3600)
    sent = counts.get(PostStatus.SENT.value, 0)
    failed = counts.get(PostStatus.FAILED.value, 0) + counts.get(PostStatus.UNCERTAIN.value, 0)
    people = "member has" if count == 1 else "members have"
    return ReplyField(
        "Streak reminders",
        f"{count} {people} reminders on · sent {hours} h before their day ends\n"
        f"last 7 days: {sent} sent, {failed} failed",
    )
