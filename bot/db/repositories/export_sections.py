"""What ``studybot export`` reads about one group, section by section.

Each section is a query whose rows become plain dicts (values still Python objects; the
writers turn them into JSON or CSV). ``streaks`` is the same format ``studybot import
streaks`` reads, so a group can move between two studybot installations, or into a
spreadsheet, and back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AuditEntry,
    CheckIn,
    ExcusedDay,
    Identity,
    Member,
    MemberStats,
    Setting,
    Space,
    StepProgress,
    StreakOverride,
)
from bot.db.models_progress import ChallengeDone, MilestoneProgress, ProjectProgress

Row = dict[str, Any]

if TYPE_CHECKING:
    from typing import TypeAlias

    Query: TypeAlias = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class Section:
    """One part of an export: a name and the query for a group's rows."""

    name: str
    query: Callable[[int], Query]


def _columns(model: Any, *skip: str) -> list[Any]:
    return [c for c in model.__table__.columns if c.name not in skip]


def _spaces(group_id: int) -> Query:
    return select(*_columns(Space, "group_id")).where(Space.group_id == group_id).order_by(Space.id)


def _members(group_id: int) -> Query:
    query = select(*_columns(Member, "group_id")).where(Member.group_id == group_id)
    return query.order_by(Member.id)


def _identities(group_id: int) -> Query:
    return (
        select(
            Identity.member_id,
            Space.platform,
            Space.external_id.label("space"),
            Identity.platform_user_id.label("user_id"),
            Identity.display_name,
            Identity.created_at,
        )
        .join(Space, Space.id == Identity.space_id)
        .join(Member, Member.id == Identity.member_id)
        .where(Member.group_id == group_id)
        .order_by(Identity.member_id, Identity.id)
    )


def _checkins(group_id: int) -> Query:
    query = select(*_columns(CheckIn, "group_id")).where(CheckIn.group_id == group_id)
    return query.order_by(CheckIn.local_date, CheckIn.id)


def _member_stats(group_id: int) -> Query:
    query = select(*_columns(MemberStats, "group_id")).where(MemberStats.group_id == group_id)
    return query.order_by(MemberStats.member_id)


def _overrides(group_id: int) -> Query:
    return (
        select(*_columns(StreakOverride))
        .join(Member, Member.id == StreakOverride.member_id)
        .where(Member.group_id == group_id)
        .order_by(StreakOverride.id)
    )


def _excused(group_id: int) -> Query:
    query = select(*_columns(ExcusedDay, "group_id")).where(ExcusedDay.group_id == group_id)
    return query.order_by(ExcusedDay.day, ExcusedDay.id)


def _settings(group_id: int) -> Query:
    query = select(*_columns(Setting, "group_id")).where(Setting.group_id == group_id)
    return query.order_by(Setting.scope, Setting.key)


def _audit(group_id: int) -> Query:
    query = select(*_columns(AuditEntry, "group_id")).where(AuditEntry.group_id == group_id)
    return query.order_by(AuditEntry.created_at, AuditEntry.id)


def _step_progress(group_id: int) -> Query:
    query = select(*_columns(StepProgress, "group_id")).where(StepProgress.group_id == group_id)
    return query.order_by(StepProgress.member_id, StepProgress.step_id)


def _challenges_done(group_id: int) -> Query:
    query = select(*_columns(ChallengeDone, "group_id")).where(ChallengeDone.group_id == group_id)
    return query.order_by(ChallengeDone.member_id, ChallengeDone.challenge_id)


def _projects(group_id: int) -> Query:
    query = select(*_columns(ProjectProgress, "group_id")).where(
        ProjectProgress.group_id == group_id
    )
    return query.order_by(ProjectProgress.member_id, ProjectProgress.project_id)


def _milestones(group_id: int) -> Query:
    return (
        select(*_columns(MilestoneProgress))
        .join(Member, Member.id == MilestoneProgress.member_id)
        .where(Member.group_id == group_id)
        .order_by(
            MilestoneProgress.member_id, MilestoneProgress.project_id, MilestoneProgress.number
        )
    )


def _streaks(group_id: int) -> Query:
    # One row per member with statistics, through their first identity: the format of
    # `studybot import streaks` (current_streak is the run that ended on last_checkin).
    first_identity = (
        select(func.min(Identity.id))
        .where(Identity.member_id == MemberStats.member_id)
        .correlate(MemberStats)
        .scalar_subquery()
    )
    return (
        select(
            Space.platform,
            Space.external_id.label("space"),
            Identity.platform_user_id.label("user_id"),
            Member.display_name,
            MemberStats.run.label("current_streak"),
            MemberStats.longest.label("longest_streak"),
            MemberStats.run_end.label("last_checkin"),
        )
        .join(Member, Member.id == MemberStats.member_id)
        .join(Identity, Identity.id == first_identity)
        .join(Space, Space.id == Identity.space_id)
        .where(MemberStats.group_id == group_id, or_(MemberStats.run > 0, MemberStats.longest > 0))
        .order_by(Member.id)
    )


SECTIONS: tuple[Section, ...] = (
    Section("spaces", _spaces),
    Section("members", _members),
    Section("identities", _identities),
    Section("checkins", _checkins),
    Section("member_stats", _member_stats),
    Section("streak_overrides", _overrides),
    Section("excused_days", _excused),
    Section("settings", _settings),
    Section("audit_log", _audit),
    Section("streaks", _streaks),
    # Learning progress (issue 13): steps, done challenges, projects and their milestones.
    Section("step_progress", _step_progress),
    Section("challenges_done", _challenges_done),
    Section("project_progress", _projects),
    Section("milestone_progress", _milestones),
)


async def count(session: AsyncSession, section: Section, group_id: int) -> int:
    """How many rows ``section`` has for the group (for the progress bar)."""
    inner = section.query(group_id).order_by(None).subquery()
    return int((await session.execute(select(func.count()).select_from(inner))).scalar_one())


async def rows(
    session: AsyncSession, section: Section, group_id: int, batch: int = 500
) -> AsyncIterator[list[Row]]:
    """The section's rows in batches, streamed from the database."""
    result = await session.stream(section.query(group_id))
    async for chunk in result.mappings().partitions(batch):
        yield [dict(row) for row in chunk]
