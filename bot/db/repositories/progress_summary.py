"""``member_progress`` and ``progress_counts``: progress figures as index reads.

Every change of a member's step records goes through :func:`refresh` in the same
transaction: it stores the member's :class:`~bot.progress.summary.Summary` and moves the
counts (members on each step, members who finished each phase, visible members per
``steps`` score) by the difference between the old and new summaries. A group whose
counts were never built (progress recorded before migration ``0006_project_progress``)
is rebuilt from ``step_progress`` by the first reader (:func:`ensure_built`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, delete, func, select, update

from bot.content.schema import Phase, Step
from bot.db.models import Member, StepProgress
from bot.db.models_progress import MemberProgress, ProgressCount
from bot.db.repositories.checkins import Executor, upsert
from bot.progress.plan import Status, StepRecord
from bot.progress.summary import Summary, summarise

_COUNTS = cast(Table, ProgressCount.__table__)
_SUMMARY = cast(Table, MemberProgress.__table__)
BUILT = "built"
"""The ``progress_counts`` kind of the marker row saying a group's counts are built."""

FINISHED = "finished"
"""The ``progress_counts`` kind counting members who finished the whole plan."""

CountKey = tuple[str, str, int]
"""``(kind, key, score)`` of one ``progress_counts`` row."""


def count_keys(summary: Summary | None, hidden: bool) -> Counter[CountKey]:
    """The count rows one member's summary adds to."""
    keys: Counter[CountKey] = Counter()
    if summary is None:
        return keys
    if summary.current_step is None:
        keys[(FINISHED, "", 0)] += 1
    else:
        keys[("step", summary.current_step, 0)] += 1
    for phase in summary.phases_finished:
        keys[("phase", phase, 0)] += 1
    if not hidden and summary.steps_done > 0:
        keys[("steps", "", summary.steps_done)] += 1
    return keys


async def add_counts(db: Executor, group_id: int, deltas: Mapping[CountKey, int]) -> None:
    """Add ``deltas`` to the group's count rows (creating them at zero)."""
    for (kind, key, score), delta in deltas.items():
        if delta == 0:
            continue
        statement = upsert(db, _COUNTS).values(
            group_id=group_id, kind=kind, key=key, score=score, members=delta
        )
        statement = statement.on_conflict_do_update(
            index_elements=["group_id", "kind", "key", "score"],
            set_={"members": _COUNTS.c.members + delta},
        )
        await db.execute(statement)


def _stored(row: MemberProgress | None, phases: frozenset[str]) -> Summary | None:
    if row is None:
        return None
    return Summary(row.current_step, row.on_step, row.steps_done, row.moved_on, phases)


async def refresh(
    db: Executor,
    plan: tuple[Sequence[Phase], Sequence[Step]],
    member: tuple[int, int, bool],
    before: Mapping[str, StepRecord],
    after: Mapping[str, StepRecord],
    now: datetime,
) -> Summary:
    """Store the summary of ``after`` for ``member`` (id, group, hidden); move the counts.

    ``before`` is the member's records before the change (their phases finished are not
    stored, so the old summary is recomputed from them).
    """
    phases, steps = plan
    member_id, group_id, hidden = member
    old = summarise(phases, steps, before) if before else None
    new = summarise(phases, steps, after)
    row = (
        await db.execute(select(_SUMMARY).where(_SUMMARY.c.member_id == member_id))
    ).one_or_none()
    old_hidden = bool(row.hidden) if row is not None else hidden
    if row is None:
        old = None
    deltas = count_keys(new if after else None, hidden)
    deltas.subtract(count_keys(old, old_hidden))
    await add_counts(db, group_id, deltas)
    values = {
        "group_id": group_id,
        "hidden": hidden,
        "current_step": new.current_step,
        "on_step": new.on_step,
        "steps_done": new.steps_done,
        "moved_on": new.moved_on,
        "updated_at": now,
    }
    if not after:
        await db.execute(delete(_SUMMARY).where(_SUMMARY.c.member_id == member_id))
    elif row is None:
        await db.execute(_SUMMARY.insert().values(member_id=member_id, **values))
    else:
        await db.execute(update(_SUMMARY).where(_SUMMARY.c.member_id == member_id).values(values))
    return new


async def set_hidden(db: Executor, member_id: int, hidden: bool) -> None:
    """Show or hide a member on the ``steps`` board (their summary and its count)."""
    row = (
        await db.execute(
            select(_SUMMARY.c.group_id, _SUMMARY.c.hidden, _SUMMARY.c.steps_done).where(
                _SUMMARY.c.member_id == member_id
            )
        )
    ).one_or_none()
    if row is None or bool(row.hidden) == hidden:
        return
    await db.execute(
        update(_SUMMARY).where(_SUMMARY.c.member_id == member_id).values(hidden=hidden)
    )
    if row.steps_done > 0:
        await add_counts(db, row.group_id, {("steps", "", row.steps_done): -1 if hidden else 1})


async def ensure_built(
    db: Executor, plan: tuple[Sequence[Phase], Sequence[Step]], group_id: int, now: datetime
) -> bool:
    """Build the group's summaries and counts from ``step_progress`` if never built.

    Whether it had to (one marker row says a group is built; it costs a key lookup).
    """
    marker = await db.execute(
        select(_COUNTS.c.members).where(_COUNTS.c.group_id == group_id, _COUNTS.c.kind == BUILT)
    )
    if marker.first() is not None:
        return False
    await rebuild(db, plan, group_id, now)
    return True


async def forget_built(db: Executor, group_id: int) -> None:
    """Make the next reader rebuild the group's summaries and counts."""
    await db.execute(delete(_COUNTS).where(_COUNTS.c.group_id == group_id, _COUNTS.c.kind == BUILT))


async def rebuild(
    db: Executor, plan: tuple[Sequence[Phase], Sequence[Step]], group_id: int, now: datetime
) -> None:
    """Recompute every summary and count of the group from its step records."""
    phases, steps = plan
    records: dict[int, dict[str, StepRecord]] = {}
    t = cast(Table, StepProgress.__table__)
    rows = await db.execute(
        select(t.c.member_id, t.c.step_id, t.c.status, t.c.started_on, t.c.finished_on).where(
            t.c.group_id == group_id
        )
    )
    for member_id, step_id, status, started_on, finished_on in rows.all():
        records.setdefault(int(member_id), {})[step_id] = StepRecord(
            step_id, Status(status), started_on, finished_on
        )
    hidden = {
        int(m): bool(h)
        for m, h in await db.execute(
            select(Member.id, Member.hidden).where(Member.group_id == group_id)
        )
    }
    await db.execute(delete(_SUMMARY).where(_SUMMARY.c.group_id == group_id))
    await db.execute(delete(_COUNTS).where(_COUNTS.c.group_id == group_id))
    totals: Counter[CountKey] = Counter({(BUILT, "", 0): 1})
    for member_id, theirs in records.items():
        summary = summarise(phases, steps, theirs)
        is_hidden = hidden.get(member_id, False)
        totals.update(count_keys(summary, is_hidden))
        await db.execute(
            _SUMMARY.insert().values(
                member_id=member_id,
                group_id=group_id,
                hidden=is_hidden,
                current_step=summary.current_step,
                on_step=summary.on_step,
                steps_done=summary.steps_done,
                moved_on=summary.moved_on,
                updated_at=now,
            )
        )
    await add_counts(db, group_id, totals)


async def counts(db: Executor, group_id: int, kind: str) -> dict[tuple[str, int], int]:
    """The group's count rows of one kind: ``{(key, score): members}`` (zeros left out)."""
    rows = await db.execute(
        select(_COUNTS.c.key, _COUNTS.c.score, _COUNTS.c.members).where(
            _COUNTS.c.group_id == group_id, _COUNTS.c.kind == kind, _COUNTS.c.members != 0
        )
    )
    return {(str(k), int(s)): int(n) for k, s, n in rows.all()}


async def stale(
    db: Executor, group_id: int, before: date, limit: int = 10, step_id: str | None = None
) -> tuple[int, list[tuple[int, str | None, date | None]]]:
    """Members working on a step (``step_id`` or any) who last moved before ``before``.

    Returns how many, and the first ones.

    The first ``limit`` are ``(member_id, current step, moved_on)``, longest idle first;
    both reads are ranges of ``ix_member_progress_moved``.
    """
    where = (
        (_SUMMARY.c.group_id == group_id)
        & _SUMMARY.c.on_step.is_(True)
        & (_SUMMARY.c.moved_on < before)
    )
    if step_id is not None:
        where = where & (_SUMMARY.c.current_step == step_id)
    total = (await db.execute(select(func.count()).select_from(_SUMMARY).where(where))).scalar_one()
    rows = await db.execute(
        select(_SUMMARY.c.member_id, _SUMMARY.c.current_step, _SUMMARY.c.moved_on)
        .where(where)
        .order_by(_SUMMARY.c.moved_on, _SUMMARY.c.member_id)
        .limit(limit)
    )
    return int(total), [(int(m), s, d) for m, s, d in rows.all()]


async def step_statuses(db: Executor, group_id: int, step_id: str) -> dict[str, int]:
    """Members per status on one step (a range of ``ix_step_progress_group_step``)."""
    t = cast(Table, StepProgress.__table__)
    rows = await db.execute(
        select(t.c.status, func.count())
        .where(t.c.group_id == group_id, t.c.step_id == step_id)
        .group_by(t.c.status)
    )
    return {str(status): int(n) for status, n in rows.all()}


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
