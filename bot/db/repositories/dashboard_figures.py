"""Read-only figures for the dashboard pages: group overview, a member's days, the audit log.

Every query is bounded by the group (and a date window or a page), so a page over 100k
members and 1M check-ins reads index ranges (or the leaderboards' score counts), never the
whole tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select, true

from bot.db.models import AuditEntry, BoardCount, CheckIn, Member, MemberStats
from bot.db.repositories.checkins import Executor

# Streak-length buckets of the overview's distribution: (label, lowest, highest).
STREAK_BUCKETS = (
    ("0", 0, 0),
    ("1", 1, 1),
    ("2–3", 2, 3),
    ("4–7", 4, 7),
    ("8–14", 8, 14),
    ("15–30", 15, 30),
    ("31–90", 31, 90),
    ("91+", 91, None),
)
CHART_DAYS = 90


@dataclass(frozen=True)
class Overview:
    """The overview page's figures."""

    members: int
    active_today: int
    active_week: int
    per_day: list[tuple[date, int]]
    streaks: list[tuple[str, int]]


async def overview(db: Executor, group_id: int, today: date) -> Overview:
    """Members, who was active, check-ins per day over 90 days, current streak lengths."""
    members = (
        await db.execute(select(func.count()).where(Member.group_id == group_id))
    ).scalar_one()
    first = today - timedelta(days=CHART_DAYS - 1)
    per_day_rows = await db.execute(
        select(CheckIn.local_date, func.count())
        .where(CheckIn.group_id == group_id, CheckIn.local_date.between(first, today))
        .group_by(CheckIn.local_date)
    )
    counts = {day: int(n) for day, n in per_day_rows}
    days = [first + timedelta(days=i) for i in range(CHART_DAYS)]
    per_day = [(day, counts.get(day, 0)) for day in days]
    week_start = today - timedelta(days=today.weekday())
    active_week = (
        await db.execute(
            select(func.count(func.distinct(CheckIn.member_id))).where(
                CheckIn.group_id == group_id, CheckIn.local_date.between(week_start, today)
            )
        )
    ).scalar_one()
    # Visible members' current streaks are the streak board's score counts (a few rows,
    # exact once the board day is rolled, which the page does first); hidden members,
    # left off the boards, are read through their own small index.
    streaks: list[tuple[int, int]] = [
        (int(score), int(n))
        for score, n in await db.execute(
            select(BoardCount.score, func.sum(BoardCount.members))
            .where(BoardCount.group_id == group_id, BoardCount.board == "streak")
            .group_by(BoardCount.score)
        )
    ]
    hidden = await db.execute(
        select(MemberStats.live_run).where(
            # "= true", not "IS true": SQLite matches a partial index's WHERE by its form.
            MemberStats.group_id == group_id,
            MemberStats.hidden == true(),
        )
    )
    streaks += [(int(run), 1) for (run,) in hidden]
    found: dict[str, int] = {}
    for run, n in streaks:
        label = _bucket(run)
        found[label] = found.get(label, 0) + n
    # Everyone else (no run, or no stats row: never checked in) is streak 0.
    found["0"] = found.get("0", 0) + max(0, int(members) - sum(found.values()))
    return Overview(
        members=int(members),
        active_today=counts.get(today, 0),
        active_week=int(active_week),
        per_day=per_day,
        streaks=[(label, found.get(label, 0)) for label, _low, _high in STREAK_BUCKETS],
    )


def _bucket(run: int) -> str:
    """The overview bucket of a current streak's length."""
    for label, low, high in STREAK_BUCKETS:
        if run >= low and (high is None or run <= high):
            return label
    return STREAK_BUCKETS[0][0]  # negative never happens; count it as no streak


@dataclass(frozen=True)
class MemberFigures:
    """One member's row and streak figures (``None`` when not in the group)."""

    member: Member
    current: int
    longest: int
    total: int
    last_day: date | None


async def member_figures(db: Executor, group_id: int, member_id: int) -> MemberFigures | None:
    """The member (only if they belong to ``group_id``) and their streak summary."""
    member = await db.get(Member, member_id)  # type: ignore[union-attr]
    if member is None or member.group_id != group_id:
        return None
    stats = await db.get(MemberStats, member_id)  # type: ignore[union-attr]
    if stats is None:
        return MemberFigures(member, 0, 0, 0, None)
    return MemberFigures(member, stats.live_run, stats.longest, stats.total, stats.last_day)


@dataclass(frozen=True)
class AuditFilter:
    """The audit page's filters (empty means any)."""

    action: str = ""
    actor: str = ""
    target: str = ""
    member_id: int | None = None


async def audit_page(
    db: Executor, group_id: int, where: AuditFilter, *, limit: int, offset: int
) -> tuple[list[AuditEntry], bool]:
    """One page of the group's audit log, newest first, and whether more follow."""
    query = select(AuditEntry).where(AuditEntry.group_id == group_id)
    if where.action:
        query = query.where(AuditEntry.action.startswith(where.action, autoescape=True))
    if where.actor:
        query = query.where(AuditEntry.actor_label.contains(where.actor, autoescape=True))
    if where.target:
        query = query.where(AuditEntry.target.contains(where.target, autoescape=True))
    if where.member_id is not None:
        query = query.where(
            or_(
                AuditEntry.target == f"member:{where.member_id}",
                AuditEntry.actor_member_id == where.member_id,
            )
        )
    query = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    rows = list((await db.execute(query.limit(limit + 1).offset(offset))).scalars())
    return rows[:limit], len(rows) > limit


async def audit_actions(db: Executor, group_id: int) -> list[str]:
    """The distinct actions in the group's log (for the filter's choices)."""
    rows = await db.execute(
        select(AuditEntry.action).where(AuditEntry.group_id == group_id).distinct().limit(100)
    )
    return sorted(str(a) for a in rows.scalars())
