"""SQL for learning progress: a member's step records, their done challenges, merges."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import StepProgress
from bot.db.models_progress import ChallengeDone
from bot.db.repositories import progress_challenges
from bot.db.repositories.checkins import Executor, upsert
from bot.progress.plan import Status, StepRecord

_STEPS = cast(Table, StepProgress.__table__)


async def load(session: Executor, member_id: int) -> dict[str, StepRecord]:
    """The member's step records by step id (steps without a row are not started).

    A range of the primary key read as plain rows (no ORM objects: ``/roadmap me`` reads
    this on every call).
    """
    t = _STEPS.c
    rows = await session.execute(
        select(t.step_id, t.status, t.started_on, t.finished_on, t.link, t.note).where(
            t.member_id == member_id
        )
    )
    return {
        step_id: StepRecord(step_id, Status(status), started_on, finished_on, link, note)
        for step_id, status, started_on, finished_on, link, note in rows.all()
    }


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


_DONE = cast(Table, ChallengeDone.__table__)


async def done_challenges(session: AsyncSession, member_id: int) -> list[str]:
    """The challenge ids the member has done (``challenge_done``, one row each)."""
    rows = await session.execute(
        select(ChallengeDone.challenge_id).where(ChallengeDone.member_id == member_id)
    )
    return list(rows.scalars())


async def record_challenge(
    session: AsyncSession,
    group_id: int,
    member_id: int,
    challenge_id: str,
    day: date,
    step_id: str | None = None,
) -> bool:
    """Record that the member did ``challenge_id`` on ``day``; whether it is new.

    Doing a challenge again keeps its first date (the row is inserted once). A new one
    adds one to its step's ``step_challenges`` count (``step_id``, the challenge's step
    in the content) in the same transaction.
    """
    statement = (
        upsert(session, _DONE)
        .values(member_id=member_id, challenge_id=challenge_id, group_id=group_id, done_on=day)
        .on_conflict_do_nothing(index_elements=["member_id", "challenge_id"])
        .returning(_DONE.c.challenge_id)
    )
    new = (await session.execute(statement)).scalar_one_or_none() is not None
    if new and step_id is not None:
        await progress_challenges.add_done(session, group_id, member_id, step_id)
    return new


async def merge_challenges(
    session: AsyncSession, group_id: int, survivor_id: int, absorbed_id: int
) -> int:
    """Give the survivor every challenge the absorbed member did (earliest date kept).

    The survivor's per-step counts are then stale: the caller recounts them
    (:func:`bot.db.repositories.progress_challenges.recount_member`).
    """
    rows = await session.execute(
        select(ChallengeDone.member_id, ChallengeDone.challenge_id, ChallengeDone.done_on).where(
            ChallengeDone.member_id.in_((survivor_id, absorbed_id))
        )
    )
    mine: dict[str, date] = {}
    theirs: dict[str, date] = {}
    for member_id, challenge_id, done_on in rows.all():
        (mine if member_id == survivor_id else theirs)[challenge_id] = done_on
    for challenge_id, done_on in theirs.items():
        if challenge_id not in mine:
            await record_challenge(session, group_id, survivor_id, challenge_id, done_on)
        elif done_on < mine[challenge_id]:
            row = await session.get(ChallengeDone, (survivor_id, challenge_id))
            if row is not None:
                row.done_on = done_on
    await session.execute(
        delete(ChallengeDone)
        .where(ChallengeDone.member_id == absorbed_id)
        .execution_options(synchronize_session="fetch")
    )
    await session.flush()
    return len(theirs)


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
