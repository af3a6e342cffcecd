"""Wording shared by the schedule commands: kinds, channels, times and ledger rows."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.core.models import Platform
from bot.db.models import Post
from bot.scheduling.config import GroupSchedule
from bot.scheduling.model import PostKind, PostStatus, reminder_member
from bot.scheduling.planner import PostPlan
from bot.streaks.policy import format_weekdays

LABELS = {
    PostKind.CHALLENGE: "Daily challenge",
    PostKind.TIP: "Tip",
    PostKind.RECAP: "Weekly recap",
    PostKind.REMINDER: "Reminder",
    PostKind.CELEBRATION: "Celebration",
}
STATUS_MARKS = {
    PostStatus.SENT: "✅ sent",
    PostStatus.FAILED: "❌ failed",
    PostStatus.MISSED: "⚠️ missed",
    PostStatus.SKIPPED: "⏭ skipped",
    PostStatus.UNCERTAIN: "❓ uncertain",
    PostStatus.RETRY: "🔁 retrying",
    PostStatus.CLAIMED: "⏳ in progress",
    PostStatus.SENDING: "⏳ sending",
}


def channel_ref(platform: Platform, channel_id: str) -> str:
    """A channel as each platform shows it (a clickable mention where there is one)."""
    if platform is Platform.CONSOLE:
        return f"#{channel_id}"
    return f"<#{channel_id}>"


def days_text(plan: PostPlan) -> str:
    """``daily``, ``mon-fri``, ``tue,thu`` or ``off``."""
    if not plan.weekdays:
        return "off"
    return "daily" if len(plan.weekdays) == 7 else format_weekdays(plan.weekdays)


def when_text(schedule: GroupSchedule, kind: PostKind) -> str:
    """When ``kind`` is posted: ``09:00 mon-fri`` (or ``sun 18:00`` for the recap)."""
    plan = schedule.plans[kind]
    if not plan.weekdays:
        return "off"
    if kind is PostKind.RECAP:
        return f"{days_text(plan)} {plan.at:%H:%M}"
    return f"{plan.at:%H:%M} {days_text(plan)}"


def instant_text(at: datetime, tz: ZoneInfo) -> str:
    """``Tue 3 Mar 09:00 Europe/Berlin (08:00 UTC)``."""
    local = at.astimezone(tz)
    utc = at.astimezone(UTC)
    return f"{local:%a} {local.day} {local:%b %H:%M} {tz.key} ({utc:%H:%M} UTC)"


def row_text(row: Post, tz: ZoneInfo, platform: Platform | None = None) -> str:
    """One ledger row for ``/admin schedule``: day, status, when, where, why."""
    status = PostStatus(row.status)
    parts = [f"{row.local_date:%a} {row.local_date.day} {row.local_date:%b}", STATUS_MARKS[status]]
    if status is PostStatus.SENT and row.sent_at is not None:
        parts.append(f"at {row.sent_at.astimezone(tz):%H:%M:%S}")
    member = reminder_member(row.channel_id)
    if member is None and platform is not None:
        parts.append(f"in {channel_ref(platform, row.channel_id)}")
    text = " · ".join(parts)
    if row.error and status is not PostStatus.SENT:
        text += f" — {row.error}"
    return text
