"""SQL for members' projects: ``project_progress`` rows with their ticked milestones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models_progress import MilestoneProgress, ProjectProgress
from bot.progress.projects import MilestoneRecord, ProjectRecord, ProjectStatus, union_all


async def load(session: AsyncSession, member_id: int) -> dict[str, ProjectRecord]:
    """The member's projects by project id, each with its ticked milestones."""
    rows = (
        await session.execute(select(ProjectProgress).where(ProjectProgress.member_id == member_id))
    ).scalars()
    ticks: dict[str, dict[int, MilestoneRecord]] = {}
    for tick in (
        await session.execute(
            select(MilestoneProgress).where(MilestoneProgress.member_id == member_id)
        )
    ).scalars():
        ticks.setdefault(tick.project_id, {})[tick.number] = MilestoneRecord(
            tick.number, tick.done_on, tick.link
        )
    return {
        row.project_id: ProjectRecord(
            project_id=row.project_id,
            status=ProjectStatus(row.status),
            started_on=row.started_on,
            finished_on=row.finished_on,
            milestones=ticks.get(row.project_id, {}),
        )
        for row in rows
    }


async def save(
    session: AsyncSession, group_id: int, member_id: int, record: ProjectRecord, now: datetime
) -> None:
    """Insert or update the member's project and any milestone not stored yet."""
    row = await session.get(ProjectProgress, (member_id, record.project_id))
    if row is None:
        row = ProjectProgress(member_id=member_id, project_id=record.project_id)
        session.add(row)
    row.group_id = group_id
    row.status = record.status.value
    row.started_on = record.started_on
    row.finished_on = record.finished_on
    row.updated_at = now
    stored = {
        tick.number: tick
        for tick in (
            await session.execute(
                select(MilestoneProgress).where(
                    MilestoneProgress.member_id == member_id,
                    MilestoneProgress.project_id == record.project_id,
                )
            )
        ).scalars()
    }
    for number, milestone in record.milestones.items():
        tick = stored.get(number)
        if tick is None:
            tick = MilestoneProgress(member_id=member_id, project_id=record.project_id)
            tick.number = number
            session.add(tick)
        elif (tick.done_on, tick.link) == (milestone.done_on, milestone.link):
            continue
        tick.done_on = milestone.done_on
        tick.link = milestone.link
        tick.updated_at = now
    await session.flush()


async def merge(
    session: AsyncSession, group_id: int, survivor_id: int, absorbed_id: int, now: datetime
) -> int:
    """Union the absorbed member's projects into the survivor's; the projects merged.

    Call before the absorbed member is deleted (its rows would cascade away).
    """
    mine = await load(session, survivor_id)
    theirs = await load(session, absorbed_id)
    for project_id, record in union_all(mine, theirs).items():
        if mine.get(project_id) != record:
            await save(session, group_id, survivor_id, record, now)
    for table in (MilestoneProgress, ProjectProgress):
        await session.execute(
            delete(table)
            .where(table.member_id == absorbed_id)
            .execution_options(synchronize_session="fetch")
        )
    return len(theirs)
