"""``member_progress`` and ``progress_counts``: progress figures as index reads.

Every change of a member's step records goes through :func:`refresh` in the same
transaction: it stores the member's :class:`~bot.progress.summary.Summary` and moves the
counts (members on each step, members who finished each phase, visible members per
``steps`` score, members on a step per day they last moved) by the difference between the
old and new summaries. A group whose counts were never built (progress recorded before
migration ``0006_project_progress``), or built by an older :data:`VERSION`, is rebuilt
from ``step_progress`` by its first reader (:func:`ensure_built`), set-based
(:mod:`.progress_rebuild`). Reading the figures is :mod:`.progress_figures`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, select, update

from bot.content.schema import Phase, Step
from bot.db.models import Member, StepProgress
from bot.db.models_progress import MemberProgress, ProgressCount
from bot.db.repositories import progress_rebuild as rebuild_sql
from bot.db.repositories.checkins import Executor, upsert
from bot.progress.plan import Status, StepRecord
from bot.progress.summary import Summary, summarise

_COUNTS = cast(Table, ProgressCount.__table__)
_SUMMARY = cast(Table, MemberProgress.__table__)
BUILT = "built"
"""The ``progress_counts`` kind of the marker row saying a group's counts are built."""

VERSION = 3
"""The marker's ``score``: which version of the counts a group was built with.

Version 2 added the ``moved`` histogram, version 3 the ``status`` counts; a group built
before is rebuilt once.
"""

STATUS = "status"
"""The ``progress_counts`` kind counting members per status of one step.

``key`` is the step; ``score`` the status's place in :data:`STATUSES`.
"""

STATUSES = (Status.IN_PROGRESS, Status.DONE, Status.SKIPPED)
"""The statuses a step record can have, in the order of their ``status`` count scores."""

MOVED = "moved"
"""The ``progress_counts`` kind counting members on a step per day they last moved.

``score`` is the day's ordinal (:meth:`datetime.date.toordinal`); ``key`` is the step, or
``""`` for all steps. Idle members before a cutoff are a sum over a range of these rows.
"""

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
    if summary.on_step and summary.current_step is not None and summary.moved_on is not None:
        day = summary.moved_on.toordinal()
        keys[(MOVED, "", day)] += 1
        keys[(MOVED, summary.current_step, day)] += 1
    return keys


def status_keys(records: Mapping[str, StepRecord]) -> Counter[CountKey]:
    """The ``status`` count rows a member's step records add to (one per record)."""
    return Counter(
        (STATUS, r.step_id, STATUSES.index(r.status))
        for r in records.values()
        if r.status in STATUSES
    )


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
    deltas.update(status_keys(after))
    deltas.subtract(count_keys(old, old_hidden))
    if row is not None:
        deltas.subtract(status_keys(before))
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
    """Build the group's summaries and counts from ``step_progress`` if not built yet.

    Whether it had to. One marker row says a group is built, and with which
    :data:`VERSION` of the counts; it costs a key lookup. A group built by an older
    version (before the ``moved`` histogram) is rebuilt once.
    """
    marker = await db.execute(
        select(_COUNTS.c.score).where(_COUNTS.c.group_id == group_id, _COUNTS.c.kind == BUILT)
    )
    if VERSION in {int(score) for (score,) in marker.all()}:
        return False
    await rebuild(db, plan, group_id, now)
    return True


async def ensure_board(
    db: Executor,
    plan: tuple[Sequence[Phase], Sequence[Step]],
    group_id: int,
    by: str,
    now: datetime,
) -> None:
    """Call before reading board ``by``: the ``steps`` board needs the summaries built.

    Every reader of a board (``/leaderboard``, the dashboard's page, the export) calls
    it, so progress recorded before migration 0006 is summarised by whichever comes first.
    """
    if by == "steps":
        await ensure_built(db, plan, group_id, now)


async def forget_built(db: Executor, group_id: int) -> None:
    """Make the next reader rebuild the group's summaries and counts."""
    await db.execute(delete(_COUNTS).where(_COUNTS.c.group_id == group_id, _COUNTS.c.kind == BUILT))


async def rebuild(
    db: Executor, plan: tuple[Sequence[Phase], Sequence[Step]], group_id: int, now: datetime
) -> None:
    """Recompute every summary and count of the group from its step records.

    Set-based (:mod:`.progress_rebuild`): one ``INSERT … SELECT … GROUP BY`` writes every
    member's summary, then a few ``GROUP BY`` reads give the counts, inserted as one
    batch. A plan longer than :data:`~.progress_rebuild.MAX_STEPS` steps is summarised
    member by member instead.
    """
    steps = plan[1]
    await db.execute(delete(_SUMMARY).where(_SUMMARY.c.group_id == group_id))
    await db.execute(delete(_COUNTS).where(_COUNTS.c.group_id == group_id))
    if len(steps) > rebuild_sql.MAX_STEPS:
        totals = await _rebuild_each(db, plan, group_id, now)
    else:
        await rebuild_sql.insert_summaries(db, steps, group_id, now)
        totals = await _counted(db, plan, group_id)
    totals[(BUILT, "", VERSION)] = 1
    rows = [
        {"group_id": group_id, "kind": kind, "key": key, "score": score, "members": n}
        for (kind, key, score), n in totals.items()
        if n
    ]
    await db.execute(_COUNTS.insert(), rows)


async def _counted(
    db: Executor, plan: tuple[Sequence[Phase], Sequence[Step]], group_id: int
) -> Counter[CountKey]:
    """The count rows of the group's rebuilt summaries (what :func:`count_keys` adds up)."""
    phases, steps = plan
    totals: Counter[CountKey] = Counter()
    for step, n in (await rebuild_sql.current_steps(db, group_id)).items():
        totals[("step", step, 0) if step is not None else (FINISHED, "", 0)] += n
    for phase, n in (await rebuild_sql.phases_finished(db, phases, steps, group_id)).items():
        totals[("phase", phase, 0)] += n
    for score, n in (await rebuild_sql.visible_steps_done(db, group_id)).items():
        totals[("steps", "", score)] += n
    for (step, day), n in (await rebuild_sql.last_moved(db, group_id)).items():
        totals[(MOVED, "", day.toordinal())] += n
        totals[(MOVED, step, day.toordinal())] += n
    for (step, status), n in (await rebuild_sql.statuses(db, group_id)).items():
        if status in STATUSES:
            totals[(STATUS, step, STATUSES.index(status))] += n
    return totals


async def _rebuild_each(
    db: Executor, plan: tuple[Sequence[Phase], Sequence[Step]], group_id: int, now: datetime
) -> Counter[CountKey]:
    """Summarise member by member in Python (plans too long for the finished mask)."""
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
        for m, h in await db.execute(select(Member.id, Member.hidden).where(Member.id.in_(records)))
    }
    totals: Counter[CountKey] = Counter()
    summaries = []
    for member_id, theirs in records.items():
        summary = summarise(phases, steps, theirs)
        is_hidden = hidden.get(member_id, False)
        totals.update(count_keys(summary, is_hidden))
        totals.update(status_keys(theirs))
        summaries.append(
            {
                "member_id": member_id,
                "group_id": group_id,
                "hidden": is_hidden,
                "current_step": summary.current_step,
                "on_step": summary.on_step,
                "steps_done": summary.steps_done,
                "moved_on": summary.moved_on,
                "updated_at": now,
            }
        )
    if summaries:
        await db.execute(_SUMMARY.insert(), summaries)
    return totals
