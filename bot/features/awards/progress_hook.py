"""Roadmap milestones: the first step, the first project, a whole phase finished.

Listens to :func:`bot.progress.events.on_step_finished` and ``on_project_finished``,
inside the transaction that records the step or project, so the award commits with it.
The listener list is process-wide (that module's design); the content store and
services it needs are those of the app installed last, which is the running one (tests
build one app at a time).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.core.services import Services
from bot.db.repositories import awards as awards_repo
from bot.db.repositories import progress as progress_repo
from bot.db.repositories.awards import NewAward
from bot.db.sessions import Session, on_commit
from bot.features.awards.earn import store
from bot.progress.events import (
    ProjectFinished,
    StepFinished,
    on_project_finished,
    on_step_finished,
)
from bot.recognition import Milestone, milestone

log = logging.getLogger(__name__)


@dataclass
class _Installed:
    services: Services | None = None


_INSTALLED = _Installed()


def use_services(services: Services) -> None:
    """Point the listener at the running app's services (called by ``install``)."""
    _INSTALLED.services = services


def _phase_finished(services: Services | None, step_id: str, finished: set[str]) -> bool:
    if services is None:
        return False
    content = services.content
    step = content.step(step_id)
    if step is None:
        return False
    steps = [s.id for s in content.steps if s.phase == step.phase]
    return bool(steps) and all(s in finished for s in steps)


async def award_progress(
    session: Session, found: StepFinished, services: Services | None
) -> list[Milestone]:
    """Earn ``first-step`` (and ``first-phase`` when the step completes its phase)."""
    records = await progress_repo.load(session, found.member_id)
    finished = {step_id for step_id, record in records.items() if record.finished}
    wanted = ["first-step"]
    if _phase_finished(services, found.step_id, finished):
        wanted.append("first-phase")
    return await _award(
        session, services, found.group_id, found.member_id, found.day, wanted,
        f"step {found.step_id}",
    )  # fmt: skip


async def award_project(
    session: Session, found: ProjectFinished, services: Services | None
) -> list[Milestone]:
    """Earn ``first-project``."""
    return await _award(
        session, services, found.group_id, found.member_id, found.day, ["first-project"],
        f"project {found.project_id}",
    )  # fmt: skip


async def _award(
    session: Session,
    services: Services | None,
    group_id: int,
    member_id: int,
    day: date,
    wanted: list[str],
    note: str,
) -> list[Milestone]:
    settings = await awards_repo.reward_settings(session, group_id)
    homes = await awards_repo.home_spaces(session, {member_id: ""})
    new = []
    for milestone_id in wanted:
        item = milestone(milestone_id)
        if item is None or item.id in settings.off:
            continue
        new.append(
            NewAward(
                group_id=group_id,
                member_id=member_id,
                milestone=item.id,
                value=1,
                earned_on=day,
                earned_at=_now(services),
                source="progress",
                note=note,
                space_id=homes.get(member_id),
                announce=settings.announce,
            )
        )
    earned = (await store(session, new)).get(member_id, [])
    if earned and services is not None:
        _celebrate_after_commit(session, services, group_id)
    return earned


def _now(services: Services | None) -> datetime:
    return services.clock.now() if services is not None else datetime.now(UTC)


def _celebrate_after_commit(session: Session, services: Services, group_id: int) -> None:
    """Announce once the step's transaction commits (never if it rolls back)."""
    from bot.features.awards.celebrate import celebrate_later

    on_commit(session, lambda: celebrate_later(services, group_id))


@on_step_finished
async def _on_step_finished(session: Session, found: StepFinished) -> None:
    await award_progress(session, found, _INSTALLED.services)


@on_project_finished
async def _on_project_finished(session: Session, found: ProjectFinished) -> None:
    await award_project(session, found, _INSTALLED.services)
