"""Set-based rebuild of a group's ``member_progress`` rows and the figures counted from them.

:func:`insert_summaries` is :func:`bot.progress.summary.summarise` in SQL, for every
member of a group at once: one ``INSERT … SELECT … GROUP BY`` over ``step_progress``.
The plan's steps become literals in the statement (a bit per step, in plan order), so
"the first step not done or skipped" is the lowest bit missing from a member's finished
mask and "finished phase" is a mask test. The other functions are ``GROUP BY`` reads of
the rebuilt rows; :func:`bot.db.repositories.progress_summary.rebuild` turns them into
``progress_counts``. Every statement runs the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from typing import cast as type_cast

from sqlalchemy import BigInteger, Table, case, cast, func, literal, select, update

from bot.content.schema import Phase, Step
from bot.db.base import UTCDateTime
from bot.db.models import Member, StepProgress
from bot.db.models_progress import MemberProgress
from bot.db.repositories.checkins import Executor
from bot.progress.plan import Status

MAX_STEPS = 62
"""The most plan steps a finished mask holds (a signed 64-bit integer)."""

_STEPS = type_cast(Table, StepProgress.__table__)
_SUMMARY = type_cast(Table, MemberProgress.__table__)
_MEMBERS = type_cast(Table, Member.__table__)
_FINISHED = (Status.DONE.value, Status.SKIPPED.value)


def _bit(index: int) -> Any:
    return literal(1 << index, BigInteger())


def _per_member(steps: Sequence[Step], group_id: int) -> Any:
    """Per member of the group: finished mask, steps done, last day moved."""
    t = _STEPS.c
    bit = case(
        {step.id: _bit(i) for i, step in enumerate(steps)},
        value=t.step_id,
        else_=literal(0, BigInteger()),
    )
    moved = case(
        (t.started_on.is_(None), t.finished_on),
        (t.finished_on.is_(None), t.started_on),
        (t.finished_on > t.started_on, t.finished_on),
        else_=t.started_on,
    )
    return (
        select(
            t.member_id,
            # PostgreSQL sums a bigint to numeric, which has no ``&``: cast it back.
            cast(
                func.sum(case((t.status.in_(_FINISHED), bit), else_=literal(0, BigInteger()))),
                BigInteger(),
            ).label("mask"),
            func.sum(case((t.status == Status.DONE.value, 1), else_=0)).label("steps_done"),
            func.max(moved).label("moved_on"),
        )
        .where(t.group_id == group_id)
        .group_by(t.member_id)
        .subquery("per_member")
    )


def _earliest_in_progress(steps: Sequence[Step]) -> Any:
    """Per ``member_progress`` row: its in-progress plan step started first.

    Ties go to the lower number; a correlated ``LIMIT 1`` over the member's rows (a
    primary-key range).

    Correlated rather than a joined window: without planner statistics (right after a
    migration) SQLite joined the window subquery row by row, quadratic in the members.
    """
    t = _STEPS.c
    number = case({step.id: step.number for step in steps}, value=t.step_id)
    return (
        select(t.step_id)
        .where(
            t.member_id == _SUMMARY.c.member_id,
            t.status == Status.IN_PROGRESS.value,
            t.step_id.in_([step.id for step in steps]),
        )
        # A step in progress without a start date sorts last, as date.max does.
        .order_by(case((t.started_on.is_(None), 1), else_=0), t.started_on, number)
        .limit(1)
        .scalar_subquery()
    )


async def insert_summaries(
    db: Executor, steps: Sequence[Step], group_id: int, now: datetime
) -> None:
    """Insert every ``member_progress`` row of the group (the group's rows deleted first).

    Two statements: the ``INSERT … SELECT … GROUP BY`` with the first step not finished
    as the current step, then an ``UPDATE`` of the members with a step in progress.
    """
    if len(steps) > MAX_STEPS:
        raise ValueError(f"a set-based rebuild takes at most {MAX_STEPS} steps")
    per_member = _per_member(steps, group_id)
    mask = per_member.c.mask
    first_open = case(
        *[(mask.op("&")(_bit(i)) == 0, literal(step.id)) for i, step in enumerate(steps)],
        else_=None,
    )
    query = select(
        per_member.c.member_id,
        literal(group_id),
        _MEMBERS.c.hidden,
        first_open,
        literal(False),
        per_member.c.steps_done,
        per_member.c.moved_on,
        literal(now, UTCDateTime()),
    ).select_from(per_member.join(_MEMBERS, _MEMBERS.c.id == per_member.c.member_id))
    columns = [
        "member_id",
        "group_id",
        "hidden",
        "current_step",
        "on_step",
        "steps_done",
        "moved_on",
        "updated_at",
    ]
    await db.execute(_SUMMARY.insert().from_select(columns, query))
    earliest = _earliest_in_progress(steps)
    await db.execute(
        update(_SUMMARY)
        .where(_SUMMARY.c.group_id == group_id, earliest.is_not(None))
        .values(current_step=earliest, on_step=True)
    )


async def phases_finished(
    db: Executor, phases: Sequence[Phase], steps: Sequence[Step], group_id: int
) -> dict[str, int]:
    """Members of the group who finished each phase (every step done or skipped)."""
    masks: dict[str, int] = {}
    for i, step in enumerate(steps):
        masks[step.phase] = masks.get(step.phase, 0) | (1 << i)
    wanted = [(p.id, masks[p.id]) for p in phases if p.id in masks]
    if not wanted:
        return {}
    per_member = _per_member(steps, group_id)
    mask = per_member.c.mask
    row = (
        await db.execute(
            select(
                *[
                    func.coalesce(
                        func.sum(case((mask.op("&")(_bit_mask(m)) == _bit_mask(m), 1), else_=0)),
                        0,
                    )
                    for _, m in wanted
                ]
            ).select_from(per_member)
        )
    ).one()
    return {phase_id: int(n) for (phase_id, _), n in zip(wanted, row, strict=True)}


def _bit_mask(mask: int) -> Any:
    return literal(mask, BigInteger())


async def current_steps(db: Executor, group_id: int) -> dict[str | None, int]:
    """Members per current step (``None``: finished the whole plan)."""
    s = _SUMMARY.c
    rows = await db.execute(
        select(s.current_step, func.count()).where(s.group_id == group_id).group_by(s.current_step)
    )
    return {step: int(n) for step, n in rows.all()}


async def visible_steps_done(db: Executor, group_id: int) -> dict[int, int]:
    """Visible members per number of steps done (above zero): the ``steps`` board."""
    s = _SUMMARY.c
    rows = await db.execute(
        select(s.steps_done, func.count())
        .where(s.group_id == group_id, s.hidden.is_(False), s.steps_done > 0)
        .group_by(s.steps_done)
    )
    return {int(score): int(n) for score, n in rows.all()}


async def last_moved(db: Executor, group_id: int) -> dict[tuple[str, date], int]:
    """Members on a step per (current step, day they last moved)."""
    s = _SUMMARY.c
    rows = await db.execute(
        select(s.current_step, s.moved_on, func.count())
        .where(
            s.group_id == group_id,
            s.on_step.is_(True),
            s.current_step.is_not(None),
            s.moved_on.is_not(None),
        )
        .group_by(s.current_step, s.moved_on)
    )
    return {(str(step), _as_date(day)): int(n) for step, day, n in rows.all()}


def _as_date(value: object) -> date:
    # A grouped Date column can come back as text on SQLite.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def statuses(db: Executor, group_id: int) -> dict[tuple[str, str], int]:
    """Members per (step, status) of the group's step records."""
    t = _STEPS.c
    rows = await db.execute(
        select(t.step_id, t.status, func.count())
        .where(t.group_id == group_id)
        .group_by(t.step_id, t.status)
    )
    return {(str(step), str(status)): int(n) for step, status, n in rows.all()}
