"""Hooks for "a member finished a step" and "a member finished a project".

A recognition module (badges, issue 15) subscribes with :func:`on_step_finished` or
:func:`on_project_finished`; the progress handlers call :func:`step_finished` /
:func:`project_finished` once per first finish, inside the invocation's transaction,
after the progress rows are written. A listener gets the session (to write its own rows
in the same transaction) and a small frozen event. Finishing again (``/roadmap done`` on
a done step, a milestone of a finished project) does not fire a second time.

Example::

    from bot.progress.events import ProjectFinished, on_project_finished

    @on_project_finished
    async def award(session: AsyncSession, event: ProjectFinished) -> None:
        ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class StepFinished:
    """A member finished (``done``) a step for the first time."""

    group_id: int
    member_id: int
    step_id: str
    day: date


@dataclass(frozen=True)
class ProjectFinished:
    """A member ticked the last milestone of a project for the first time."""

    group_id: int
    member_id: int
    project_id: str
    day: date


E = TypeVar("E")
Listener = Callable[[AsyncSession, E], Awaitable[None]]

_step_listeners: list[Listener[StepFinished]] = []
_project_listeners: list[Listener[ProjectFinished]] = []


def on_step_finished(listener: Listener[StepFinished]) -> Listener[StepFinished]:
    """Register ``listener`` for finished steps (usable as a decorator; twice is once)."""
    if listener not in _step_listeners:
        _step_listeners.append(listener)
    return listener


def on_project_finished(listener: Listener[ProjectFinished]) -> Listener[ProjectFinished]:
    """Register ``listener`` for finished projects (usable as a decorator; twice is once)."""
    if listener not in _project_listeners:
        _project_listeners.append(listener)
    return listener


def remove_listener(listener: object) -> None:
    """Unregister ``listener`` from both hooks (tests, reloads)."""
    for listeners in (_step_listeners, _project_listeners):
        if listener in listeners:
            listeners.remove(listener)  # type: ignore[arg-type]


async def step_finished(session: AsyncSession, event: StepFinished) -> None:
    """Tell every registered listener that a step was finished."""
    for listener in list(_step_listeners):
        await listener(session, event)


async def project_finished(session: AsyncSession, event: ProjectFinished) -> None:
    """Tell every registered listener that a project was finished."""
    for listener in list(_project_listeners):
        await listener(session, event)
