"""The session types other layers may name without importing SQLAlchemy.

``bot.scheduling`` (and anything else kept free of SQLAlchemy by the import contract)
passes sessions through to the repositories and opens them from a factory; it needs the
types for its signatures, never the library. These aliases are that seam: the
repositories in :mod:`bot.db.repositories` take a :data:`Session`; the composition root
builds the :data:`SessionFactory` (:func:`bot.db.engine.create_session_factory`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

Session: TypeAlias = AsyncSession
"""One unit of work: what a job or a command runs its queries in."""

SessionFactory: TypeAlias = async_sessionmaker[AsyncSession]
"""Opens sessions (``async with factory() as session``)."""

Engine: TypeAlias = AsyncEngine
"""The pool of connections (the check-in writer holds its own lanes on one)."""

Connection: TypeAlias = AsyncConnection
"""One connection checked out of an :data:`Engine` (a writer lane)."""


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Call ``callback`` once the session's current transaction commits (never on rollback).

    For code that runs inside someone else's transaction (an event listener has no
    :class:`~bot.core.context.CommandContext` to queue an after-commit hook on). The
    callback runs synchronously in the commit: it should only schedule work.
    """

    def committed(_session: object) -> None:
        callback()

    event.listen(session.sync_session, "after_commit", committed, once=True)


__all__ = ["Connection", "Engine", "Session", "SessionFactory", "on_commit"]
