"""A member's progress summary: what moderators' figures and the ``steps`` board keep.

Pure, like :mod:`bot.progress.plan`; :mod:`bot.db.repositories.progress_summary` stores it
in ``member_progress`` and keeps ``progress_counts`` in step with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.content.schema import Phase, Step
from bot.progress.plan import Status, StepRecord, current_step


def status_of(records: Mapping[str, StepRecord], step_id: str) -> Status:
    """A step's status in ``records`` (not started without a record)."""
    record = records.get(step_id)
    return record.status if record else Status.NOT_STARTED


@dataclass(frozen=True)
class Summary:
    """What the moderators' figures and the ``steps`` board keep of a member's progress.

    Attributes:
        current_step: The current step id (``None`` once the whole plan is finished).
        on_step: The current step is started (in progress).
        steps_done: Steps done (a skipped step is known, not done, so it does not count).
        moved_on: The last local date a step was started, done or skipped.
        phases_finished: Phases whose every step is done or skipped.
    """

    current_step: str | None
    on_step: bool
    steps_done: int
    moved_on: date | None
    phases_finished: frozenset[str]


def summarise(
    phases: Sequence[Phase], steps: Sequence[Step], records: Mapping[str, StepRecord]
) -> Summary:
    """The :class:`Summary` of a member's step records (pure)."""
    current = current_step(steps, records)
    dates = [d for r in records.values() for d in (r.started_on, r.finished_on) if d is not None]
    finished = {
        p.id
        for p in phases
        if (members := [s for s in steps if s.phase == p.id])
        and all(status_of(records, s.id) in (Status.DONE, Status.SKIPPED) for s in members)
    }
    return Summary(
        current_step=current.id if current else None,
        on_step=current is not None and status_of(records, current.id) is Status.IN_PROGRESS,
        steps_done=sum(1 for r in records.values() if r.status is Status.DONE),
        moved_on=max(dates) if dates else None,
        phases_finished=frozenset(finished),
    )
