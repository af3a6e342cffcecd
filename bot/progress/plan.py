"""Pure progress rules: step statuses, pacing against the plan, merging two members' progress.

No I/O: everything here takes content objects and plain records and returns values, so the
rules are tested without a database and any renderer (a chat reply, an image card) can draw
the same :class:`ProgressView`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from bot.content.schema import Phase, Step

# The plan is 12 months; a month is 52/12 weeks on average.
WEEKS_PER_MONTH = 52 / 12


class Status(StrEnum):
    """Where a member is with one step."""

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    DONE = "done"
    SKIPPED = "skipped"


# Which status survives when two records of the same step meet (a member merge):
# finished beats known-already beats started beats nothing, so no progress is lost.
_RANK = {Status.NOT_STARTED: 0, Status.IN_PROGRESS: 1, Status.SKIPPED: 2, Status.DONE: 3}


@dataclass(frozen=True)
class StepRecord:
    """One member's stored progress on one step.

    Attributes:
        step_id: The content step id.
        status: Where the member is with it.
        started_on: Local date the member started it (``None`` when skipped outright).
        finished_on: Local date it was done or skipped.
        link: An optional link to the work that passed the checkpoint.
        note: An optional note.
    """

    step_id: str
    status: Status
    started_on: date | None = None
    finished_on: date | None = None
    link: str | None = None
    note: str | None = None

    @property
    def finished(self) -> bool:
        """Done or skipped: the step no longer needs work."""
        return self.status in (Status.DONE, Status.SKIPPED)


def union(a: StepRecord, b: StepRecord) -> StepRecord:
    """The record of a step after merging two members' records of it, losing nothing.

    The furthest status wins; the earliest start and finish are kept, and a link or note
    written on either account survives.
    """
    if a.step_id != b.step_id:
        raise ValueError("only records of the same step can be merged")
    best, other = (a, b) if _RANK[a.status] >= _RANK[b.status] else (b, a)
    starts = [d for d in (a.started_on, b.started_on) if d is not None]
    finishes = [r.finished_on for r in (a, b) if r.finished_on is not None and r.finished]
    return replace(
        best,
        started_on=min(starts) if starts else None,
        finished_on=min(finishes) if finishes and best.finished else best.finished_on,
        link=best.link or other.link,
        note=best.note or other.note,
    )


def union_all(
    left: Mapping[str, StepRecord], right: Mapping[str, StepRecord]
) -> dict[str, StepRecord]:
    """Merge two members' progress maps step by step (see :func:`union`)."""
    merged = dict(left)
    for step_id, record in right.items():
        merged[step_id] = union(merged[step_id], record) if step_id in merged else record
    return merged


def planned_weeks(phases: Sequence[Phase], steps: Sequence[Step]) -> dict[str, int]:
    """Weeks the plan gives each step: its phase's months shared equally by its steps."""
    per_phase: dict[str, list[Step]] = {}
    for step in steps:
        per_phase.setdefault(step.phase, []).append(step)
    weeks: dict[str, int] = {}
    for phase in phases:
        members = per_phase.get(phase.id, [])
        if not members:
            continue
        months = phase.end_month - phase.start_month + 1
        share = max(1, round(months * WEEKS_PER_MONTH / len(members)))
        for step in members:
            weeks[step.id] = share
    return weeks


def weeks_spent(started_on: date | None, today: date) -> int:
    """The week of work a started step is in (1 during its first seven days)."""
    if started_on is None:
        return 0
    return max(0, (today - started_on).days) // 7 + 1


def current_step(steps: Sequence[Step], records: Mapping[str, StepRecord]) -> Step | None:
    """The step to show as "current".

    That is the earliest started step in progress, else the first step of the plan not
    done or skipped, else ``None`` (the plan is finished).
    """
    in_progress = [s for s in steps if _status(records, s.id) is Status.IN_PROGRESS]
    if in_progress:
        return min(
            in_progress,
            key=lambda s: (records[s.id].started_on or date.max, s.number),
        )
    for step in steps:
        if _status(records, step.id) not in (Status.DONE, Status.SKIPPED):
            return step
    return None


def _status(records: Mapping[str, StepRecord], step_id: str) -> Status:
    record = records.get(step_id)
    return record.status if record else Status.NOT_STARTED


@dataclass(frozen=True)
class StepView:
    """One step as a member sees it on their plan."""

    number: int
    id: str
    title: str
    phase: str
    status: Status
    challenges_done: int
    challenges_total: int
    weeks_spent: int
    weeks_planned: int
    link: str | None


@dataclass(frozen=True)
class PhaseView:
    """One phase of the plan with its steps."""

    number: int
    id: str
    title: str
    steps: tuple[StepView, ...]

    @property
    def finished(self) -> bool:
        """Every step of the phase is done or skipped."""
        return all(s.status in (Status.DONE, Status.SKIPPED) for s in self.steps)


@dataclass(frozen=True)
class ProgressView:
    """Everything ``/roadmap me`` (or a card) shows about one member's plan.

    Attributes:
        phases: Every phase with every step and its status.
        current: The current step, ``None`` when the whole plan is finished.
        checkpoint: The current step's checkpoint text.
        finished: Steps done or skipped.
        total: Steps in the plan.
        position: "step 5 of 16".
        pacing: "week 3 of 4 planned" for a started current step, else ``None``.
        behind: The current step has taken longer than planned.
        next_action: What to do next, as a sentence with the command to type.
    """

    phases: tuple[PhaseView, ...]
    current: StepView | None
    checkpoint: str | None
    finished: int
    total: int
    position: str
    pacing: str | None
    behind: bool
    next_action: str


def progress_view(
    phases: Sequence[Phase],
    steps: Sequence[Step],
    records: Mapping[str, StepRecord],
    challenges_done: Mapping[str, int],
    challenges_total: Mapping[str, int],
    today: date,
) -> ProgressView:
    """Build the member's plan view from their records (pure; see :class:`ProgressView`)."""
    weeks = planned_weeks(phases, steps)
    views: dict[str, StepView] = {}
    for step in steps:
        record = records.get(step.id)
        status = record.status if record else Status.NOT_STARTED
        started = record.started_on if record else None
        spent = weeks_spent(started, today) if status is Status.IN_PROGRESS else 0
        views[step.id] = StepView(
            number=step.number,
            id=step.id,
            title=step.title,
            phase=step.phase,
            status=status,
            challenges_done=challenges_done.get(step.id, 0),
            challenges_total=challenges_total.get(step.id, 0),
            weeks_spent=spent,
            weeks_planned=weeks.get(step.id, 1),
            link=record.link if record else None,
        )
    phase_views = tuple(
        PhaseView(p.number, p.id, p.title, tuple(views[s.id] for s in steps if s.phase == p.id))
        for p in phases
    )
    current_content = current_step(steps, records)
    current = views[current_content.id] if current_content else None
    finished = sum(1 for v in views.values() if v.status in (Status.DONE, Status.SKIPPED))
    pacing = None
    behind = False
    if current is not None and current.status is Status.IN_PROGRESS:
        pacing = f"week {current.weeks_spent} of {current.weeks_planned} planned"
        behind = current.weeks_spent > current.weeks_planned
    return ProgressView(
        phases=phase_views,
        current=current,
        checkpoint=current_content.checkpoint if current_content else None,
        finished=finished,
        total=len(steps),
        position=(
            f"step {current.number} of {len(steps)}" if current else f"all {len(steps)} steps"
        ),
        pacing=pacing,
        behind=behind,
        next_action=_next_action(current),
    )


def _next_action(current: StepView | None) -> str:
    if current is None:
        return "You finished the whole plan. Pick a project with `/project` and build it."
    if current.status is Status.NOT_STARTED:
        return f"Start step {current.number} with `/roadmap start {current.id}`."
    left = current.challenges_total - current.challenges_done
    challenge = (
        f" Try a challenge of this step with `/challenge next` ({left} left)." if left else ""
    )
    return (
        f"Work towards the checkpoint, then `/roadmap done {current.id}` "
        f"(add a link to your work).{challenge}"
    )


def challenges_per_step(step_of: Mapping[str, str], challenge_ids: Iterable[str]) -> dict[str, int]:
    """Count distinct done challenges per step, given each challenge's step."""
    counts: dict[str, int] = {}
    for challenge_id in set(challenge_ids):
        step_id = step_of.get(challenge_id)
        if step_id is not None:
            counts[step_id] = counts.get(step_id, 0) + 1
    return counts
