"""A hook for "a member finished a step": badges and announcements can listen later.

Listeners run inside the invocation's transaction, after the progress row is written, and
receive a :class:`StepFinished`. Nothing registers one yet; issue 15 (badges) is meant to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class StepFinished:
    """A member finished (``done``) a step for the first time."""

    group_id: int
    member_id: int
    step_id: str
    day: date


Listener = Callable[[AsyncSession, StepFinished], Awaitable[None]]

_listeners: list[Listener] = []


def on_step_finished(listener: Listener) -> Listener:
    """Register ``listener`` (usable as a decorator); registering twice has no effect."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


async def step_finished(session: AsyncSession, event: StepFinished) -> None:
    """Tell every registered listener that a step was finished."""
    for listener in list(_listeners):
        await listener(session, event)
