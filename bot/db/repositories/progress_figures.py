"""Reading a group's progress figures: what ``/admin progress``, the recap and the export show.

The figures come from the rows :mod:`.progress_summary` keeps (``progress_counts`` and
``member_progress``), so each read is a few index lookups however many members a group has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, func, literal, select, union_all

from bot.db.models import Identity, Member, StepProgress
from bot.db.models_progress import MemberProgress, ProgressCount
from bot.db.repositories.checkins import Executor
from bot.db.repositories.progress_summary import (
    BUILT,
    FINISHED,
    MOVED,
    STATUS,
    STATUSES,
    VERSION,
)
from bot.progress.plan import Status

_COUNTS = cast(Table, ProgressCount.__table__)
_SUMMARY = cast(Table, MemberProgress.__table__)


@dataclass(frozen=True)
class GroupFigures:
    """What ``/admin progress`` shows of a group, read from ``progress_counts`` at once.

    Attributes:
        built: The group's counts are built by this :data:`VERSION` (else rebuild first).
        on_step: Members per current step id.
        phases: Members who finished each phase, by phase id.
        finished: Members who finished the whole plan.
        stale: Members on a step (of ``step_id`` when given) who last moved before the
            cutoff.
        statuses: With ``step_id``: members per status of that step.
    """

    built: bool
    on_step: dict[str, int]
    phases: dict[str, int]
    finished: int
    stale: int
    statuses: dict[Status, int]


async def figures(
    db: Executor, group_id: int, stale_before: date, step_id: str | None = None
) -> GroupFigures:
    """The group's progress figures in one statement: two ranges of the counts' key.

    The idle count sums the ``moved`` histogram (members on a step per last-moved day)
    below the cutoff: a few hundred rows at most, however many members are idle.
    """
    c = _COUNTS.c
    kinds: Any = c.kind.in_((BUILT, "step", "phase", FINISHED))
    if step_id is not None:
        kinds = kinds | ((c.kind == STATUS) & (c.key == step_id))
    rows = select(c.kind, c.key, c.score, c.members).where(
        c.group_id == group_id, kinds, c.members != 0
    )
    idle = select(
        literal("stale").label("kind"),
        literal("").label("key"),
        literal(0).label("score"),
        func.coalesce(func.sum(c.members), 0).label("members"),
    ).where(
        c.group_id == group_id,
        c.kind == MOVED,
        c.key == (step_id or ""),
        c.score < stale_before.toordinal(),
    )
    on_step: dict[str, int] = {}
    phases: dict[str, int] = {}
    statuses: dict[Status, int] = {}
    built = finished = stale_total = 0
    for kind, key, score, members in (await db.execute(union_all(rows, idle))).all():
        if kind == BUILT:
            built = built or int(score) == VERSION
        elif kind == "step":
            on_step[str(key)] = int(members)
        elif kind == "phase":
            phases[str(key)] = int(members)
        elif kind == FINISHED:
            finished += int(members)
        elif kind == STATUS:
            statuses[STATUSES[int(score)]] = int(members)
        else:
            stale_total = int(members)
    return GroupFigures(bool(built), on_step, phases, finished, stale_total, statuses)


async def stale_members(
    db: Executor,
    group_id: int,
    before: date,
    space_id: int,
    limit: int = 10,
    step_id: str | None = None,
) -> list[tuple[int, str, str | None, date | None]]:
    """The longest idle members on a step: ``(member_id, name in the space, step, moved_on)``.

    One range of ``ix_member_progress_moved`` (``LIMIT``), each name a key lookup: the
    identity's name in ``space_id``, else the member's own (as
    :func:`bot.db.repositories.checkins.display_names`).
    """
    s = _SUMMARY.c
    identities = cast(Table, Identity.__table__)
    members = cast(Table, Member.__table__)
    in_space = (
        select(identities.c.display_name)
        .where(identities.c.member_id == s.member_id, identities.c.space_id == space_id)
        .order_by(identities.c.id)
        .limit(1)
        .scalar_subquery()
    )
    own = select(members.c.display_name).where(members.c.id == s.member_id).scalar_subquery()
    where = (s.group_id == group_id) & s.on_step.is_(True) & (s.moved_on < before)
    if step_id is not None:
        where = where & (s.current_step == step_id)
    query = (
        select(
            s.member_id, func.coalesce(func.nullif(in_space, ""), own), s.current_step, s.moved_on
        )
        .where(where)
        .order_by(s.moved_on, s.member_id)
        .limit(limit)
    )
    return [(int(m), str(n or "?"), step, d) for m, n, step, d in (await db.execute(query)).all()]


async def finished_between(db: Executor, group_id: int, first: date, last: date) -> dict[str, int]:
    """Members who finished (``done``) each step between two local dates (the recap)."""
    t = cast(Table, StepProgress.__table__)
    rows = await db.execute(
        select(t.c.step_id, func.count())
        .where(
            t.c.group_id == group_id,
            t.c.status == Status.DONE.value,
            t.c.finished_on >= first,
            t.c.finished_on <= last,
        )
        .group_by(t.c.step_id)
    )
    return {str(step): int(n) for step, n in rows.all()}


async def export_rows(
    db: Executor, group_id: int
) -> list[tuple[int, str, str, date | None, date | None, str | None]]:
    """Every step record of the group: member, step, status, dates, link."""
    t = cast(Table, StepProgress.__table__)
    rows = await db.execute(
        select(t.c.member_id, t.c.step_id, t.c.status, t.c.started_on, t.c.finished_on, t.c.link)
        .where(t.c.group_id == group_id)
        .order_by(t.c.member_id, t.c.step_id)
    )
    return [(int(m), str(s), str(st), a, b, link) for m, s, st, a, b, link in rows.all()]
