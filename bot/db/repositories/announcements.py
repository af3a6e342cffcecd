"""The queries behind project announcements: recent finishes and who finished on a day.

:mod:`bot.scheduling.announcements` posts each finish once through the ledger; this module
only reads ``project_progress`` (the progress feature writes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models_progress import ProjectProgress

_PROJECTS = cast(Table, ProjectProgress.__table__)


@dataclass(frozen=True)
class Finish:
    """One member's finished project."""

    group_id: int
    member_id: int
    project_id: str
    finished_on: date


async def finished_since(session: AsyncSession, since: date) -> list[Finish]:
    """Projects finished on or after ``since``, in every group."""
    query = select(
        _PROJECTS.c.group_id,
        _PROJECTS.c.member_id,
        _PROJECTS.c.project_id,
        _PROJECTS.c.finished_on,
    ).where(_PROJECTS.c.status == "finished", _PROJECTS.c.finished_on >= since)
    return [
        Finish(int(group_id), int(member_id), str(project_id), day)
        for group_id, member_id, project_id, day in (await session.execute(query)).all()
    ]


async def finishers_on(session: AsyncSession, group_id: int, day: date) -> list[tuple[int, str]]:
    """``(member id, project id)`` of the group's projects finished on ``day``."""
    query = select(_PROJECTS.c.member_id, _PROJECTS.c.project_id).where(
        _PROJECTS.c.group_id == group_id,
        _PROJECTS.c.status == "finished",
        _PROJECTS.c.finished_on == day,
    )
    return [(int(m), str(p)) for m, p in (await session.execute(query)).all()]
