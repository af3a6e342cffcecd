"""Pure project rules: a member's progress on one project idea, and merging two of them.

No I/O, like :mod:`bot.progress.plan`: the handlers in :mod:`bot.features.progress.projects`
load :class:`ProjectRecord` values, ask these functions what changes, and store the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum


class ProjectStatus(StrEnum):
    """Where a member is with one project."""

    ACTIVE = "active"
    FINISHED = "finished"
    DROPPED = "dropped"


# A merge keeps the furthest status: finished beats active beats dropped.
_RANK = {ProjectStatus.DROPPED: 0, ProjectStatus.ACTIVE: 1, ProjectStatus.FINISHED: 2}


@dataclass(frozen=True)
class MilestoneRecord:
    """A milestone a member ticked: its 1-based number, the local date, an optional link."""

    number: int
    done_on: date
    link: str | None = None


@dataclass(frozen=True)
class ProjectRecord:
    """One member's stored progress on one project.

    Attributes:
        project_id: The content project id.
        status: Active, finished or dropped.
        started_on: Local date of the first ``/project start``.
        finished_on: Local date the last milestone was ticked (finished projects only).
        milestones: The ticked milestones by number.
    """

    project_id: str
    status: ProjectStatus
    started_on: date
    finished_on: date | None = None
    milestones: Mapping[int, MilestoneRecord] = field(default_factory=dict)

    def next_milestone(self, count: int) -> int | None:
        """The lowest milestone number (1…``count``) not ticked yet, ``None`` when all are."""
        return next((n for n in range(1, count + 1) if n not in self.milestones), None)


def tick(
    record: ProjectRecord, number: int, count: int, today: date, link: str | None
) -> ProjectRecord:
    """The record after ticking milestone ``number`` of ``count``; finished once all are.

    Ticking an already ticked milestone keeps its first date (a new link replaces none).
    """
    if not 1 <= number <= count:
        raise ValueError(f"milestone {number} is outside 1..{count}")
    milestones = dict(record.milestones)
    old = milestones.get(number)
    milestones[number] = (
        replace(old, link=old.link or link) if old else MilestoneRecord(number, today, link)
    )
    status = record.status
    finished_on = record.finished_on
    if len([n for n in milestones if 1 <= n <= count]) == count:
        status = ProjectStatus.FINISHED
        finished_on = finished_on or today
    elif status is ProjectStatus.DROPPED:
        status = ProjectStatus.ACTIVE  # ticking a milestone picks a dropped project back up
    return replace(record, status=status, finished_on=finished_on, milestones=milestones)


def union(a: ProjectRecord, b: ProjectRecord) -> ProjectRecord:
    """Merge two members' records of one project, losing no ticked milestone.

    The furthest status wins, the earliest dates are kept, and each milestone keeps its
    earliest tick (with a link from either account).
    """
    if a.project_id != b.project_id:
        raise ValueError("only records of the same project can be merged")
    best = a if _RANK[a.status] >= _RANK[b.status] else b
    milestones = dict(a.milestones)
    for number, theirs in b.milestones.items():
        mine = milestones.get(number)
        if mine is None:
            milestones[number] = theirs
        else:
            first = mine if mine.done_on <= theirs.done_on else theirs
            milestones[number] = replace(first, link=first.link or mine.link or theirs.link)
    finishes = [d for d in (a.finished_on, b.finished_on) if d is not None]
    return replace(
        best,
        started_on=min(a.started_on, b.started_on),
        finished_on=min(finishes) if finishes and best.status is ProjectStatus.FINISHED else None,
        milestones=milestones,
    )


def union_all(
    left: Mapping[str, ProjectRecord], right: Mapping[str, ProjectRecord]
) -> dict[str, ProjectRecord]:
    """Merge two members' project maps project by project (see :func:`union`)."""
    merged = dict(left)
    for project_id, record in right.items():
        merged[project_id] = union(merged[project_id], record) if project_id in merged else record
    return merged
