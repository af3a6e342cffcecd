"""SQL for learning progress: a member's step records, their done challenges, merges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn, StepProgress
from bot.progress.plan import Status, StepRecord


def _record(row: StepProgress) -> StepRecord:
    return StepRecord(
        step_id=row.step_id,
        status=Status(row.status),
        started_on=row.started_on,
        finished_on=row.finished_on,
        link=row.link,
        note=row.note,
    )


async def load(session: AsyncSession, member_id: int) -> dict[str, StepRecord]:
    """The member's step records by step id (steps without a row are not started)."""
    rows = await session.execute(select(StepProgress).where(StepProgress.member_id == member_id))
    return {row.step_id: _record(row) for row in rows.scalars()}


async def save(
    session: AsyncSession, group_id: int, member_id: int, record: StepRecord, now: datetime
) -> None:
    """Insert or replace the member's record of ``record.step_id``."""
    row = await session.get(StepProgress, (member_id, record.step_id))
    if row is None:
        row = StepProgress(member_id=member_id, step_id=record.step_id, group_id=group_id)
        session.add(row)
    row.group_id = group_id
    row.status = record.status.value
    row.started_on = record.started_on
    row.finished_on = record.finished_on
    row.link = record.link
    row.note = record.note
    row.updated_at = now
    await session.flush()


async def remove(session: AsyncSession, member_id: int, step_id: str) -> bool:
    """Forget the member's record of a step; whether there was one."""
    result = await session.execute(
        delete(StepProgress)
        .where(StepProgress.member_id == member_id, StepProgress.step_id == step_id)
        .execution_options(synchronize_session="fetch")
    )
    return bool(getattr(result, "rowcount", 0))


async def done_challenges(session: AsyncSession, member_id: int) -> list[str]:
    """Distinct challenge ids the member's check-ins recorded."""
    rows = await session.execute(
        select(CheckIn.challenge_id)
        .where(CheckIn.member_id == member_id, CheckIn.challenge_id.is_not(None))
        .distinct()
    )
    return [value for value in rows.scalars() if value is not None]


async def merge(
    session: AsyncSession, group_id: int, survivor_id: int, absorbed_id: int, now: datetime
) -> int:
    """Union the absorbed member's progress into the survivor's; the records merged.

    Call before the absorbed member is deleted (its rows would cascade away).
    """
    from bot.progress.plan import union_all

    mine = await load(session, survivor_id)
    theirs = await load(session, absorbed_id)
    for step_id, record in union_all(mine, theirs).items():
        if mine.get(step_id) != record:
            await save(session, group_id, survivor_id, record, now)
    await session.execute(
        delete(StepProgress)
        .where(StepProgress.member_id == absorbed_id)
        .execution_options(synchronize_session="fetch")
    )
    return len(theirs)
