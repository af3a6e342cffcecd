"""``step_challenges``: how many challenges of each step a member has done, maintained.

``/roadmap me`` shows per step "challenges 3/12". Counting a member's ``challenge_done``
rows per request means reading one row per done challenge (tens per member) and mapping
each to its step; instead every new done challenge adds one to its step's row in the same
transaction (:func:`add_done`), so the read is at most one row per step (:func:`read`).

Which step a challenge counts toward is content, so a group's counts are marked with the
content's :attr:`~bot.progress.challenge_steps.ChallengeSteps.fingerprint` (a
``progress_counts`` row, kind ``challenges``). Without a marker for the current content
(challenges done before migration ``0009_progress_summary``, or a content change that
moved a challenge), the reader recounts the group set-based (:func:`rebuild`: one
``INSERT … SELECT … GROUP BY`` over ``challenge_done``).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, case, delete, func, literal, select, union_all

from bot.db.models_progress import ChallengeDone, ProgressCount, StepChallenges
from bot.db.repositories.checkins import Executor, upsert
from bot.progress.challenge_steps import ChallengeSteps

KIND = "challenges"
"""The ``progress_counts`` kind of the marker saying a group's counts are made."""

_COUNTS = cast(Table, ProgressCount.__table__)
_DONE = cast(Table, ChallengeDone.__table__)
_STEPS = cast(Table, StepChallenges.__table__)


async def read(
    db: Executor, group_id: int, member_id: int, fingerprint: str
) -> dict[str, int] | None:
    """The member's done challenges per step; ``None`` if the group must be recounted.

    One statement: the member's rows (a range of the primary key) and the group's marker
    for this content (a key lookup).
    """
    mine = select(_STEPS.c.step_id, _STEPS.c.done).where(_STEPS.c.member_id == member_id)
    marker = select(literal("").label("step_id"), literal(-1).label("done")).where(
        _COUNTS.c.group_id == group_id,
        _COUNTS.c.kind == KIND,
        _COUNTS.c.key == fingerprint,
        _COUNTS.c.score == 0,
    )
    counts: dict[str, int] = {}
    built = False
    for step_id, done in (await db.execute(union_all(mine, marker))).all():
        if step_id == "":
            built = True
        else:
            counts[str(step_id)] = int(done)
    return counts if built else None


async def add_done(db: Executor, group_id: int, member_id: int, step_id: str) -> None:
    """Count one more done challenge of ``step_id`` for the member (a new one only)."""
    statement = upsert(db, _STEPS).values(
        member_id=member_id, step_id=step_id, group_id=group_id, done=1
    )
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=["member_id", "step_id"], set_={"done": _STEPS.c.done + 1}
        )
    )


def _counted(steps: ChallengeSteps, where: Any) -> Any:
    """``(member_id, step_id, group_id, done)`` counted from ``challenge_done`` rows."""
    step = case(steps.step_of, value=_DONE.c.challenge_id)
    return (
        select(_DONE.c.member_id, step, func.min(_DONE.c.group_id), func.count())
        .where(where, _DONE.c.challenge_id.in_(list(steps.step_of)))
        .group_by(_DONE.c.member_id, step)
    )


_COLUMNS = ["member_id", "step_id", "group_id", "done"]


async def rebuild(db: Executor, group_id: int, steps: ChallengeSteps) -> None:
    """Recount the group's rows from ``challenge_done`` and mark them with the content."""
    await db.execute(delete(_STEPS).where(_STEPS.c.group_id == group_id))
    await forget(db, group_id)
    if steps.step_of:
        query = _counted(steps, _DONE.c.group_id == group_id)
        await db.execute(_STEPS.insert().from_select(_COLUMNS, query))
    await db.execute(
        _COUNTS.insert().values(
            group_id=group_id, kind=KIND, key=steps.fingerprint, score=0, members=1
        )
    )


async def recount_member(
    db: Executor, group_id: int, member_id: int, steps: ChallengeSteps | None
) -> None:
    """Recount one member's rows (after a merge moved done challenges to them).

    Without the content's mapping the group is unmarked, so its next reader recounts it.
    """
    if steps is None:
        await forget(db, group_id)
        return
    await db.execute(delete(_STEPS).where(_STEPS.c.member_id == member_id))
    if steps.step_of:
        query = _counted(steps, _DONE.c.member_id == member_id)
        await db.execute(_STEPS.insert().from_select(_COLUMNS, query))


async def forget(db: Executor, group_id: int) -> None:
    """Unmark the group's counts: the next reader recounts them."""
    await db.execute(delete(_COUNTS).where(_COUNTS.c.group_id == group_id, _COUNTS.c.kind == KIND))
