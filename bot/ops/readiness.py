"""Readiness checks behind ``/readyz``: database, adapters, content, not shutting down.

Each check returns ``None`` when fine or a short reason a human can act on. A load
balancer or Kubernetes stops sending traffic to an instance whose ``/readyz`` fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.core.ports import Adapter
from bot.db.engine import ping
from bot.db.sessions import Engine

if TYPE_CHECKING:
    from bot.content.store import ContentStore
    from bot.web.server import HttpServer

DATABASE_TIMEOUT_S = 3.0


async def database_problem(engine: Engine | None) -> str | None:
    """Whether the database answers ``SELECT 1`` within :data:`DATABASE_TIMEOUT_S`."""
    if engine is None:
        return "no database engine (not started or already stopped)"

    try:
        await asyncio.wait_for(ping(engine), DATABASE_TIMEOUT_S)
    except TimeoutError:
        return f"no answer within {DATABASE_TIMEOUT_S:.0f} s"
    except Exception as exc:  # any driver error means "not reachable"
        return f"unreachable: {type(exc).__name__}: {_first_line(exc)}"
    return None


def adapters_problem(adapters: Sequence[Adapter]) -> str | None:
    """Whether every adapter is connected (its ``ready`` event set) and not closed."""
    problems = []
    for adapter in adapters:
        name = adapter.platform.value
        if adapter.closed.is_set():
            problems.append(f"{name} closed")
        elif not adapter.ready.is_set():
            problems.append(f"{name} not connected yet")
    return "; ".join(problems) or None


def content_problem(content: ContentStore | None) -> str | None:
    """Whether the learning content is loaded."""
    if content is None:
        return "content not loaded"
    return None


def register(
    http: HttpServer,
    *,
    engine: Callable[[], Engine | None],
    adapters: Sequence[Adapter],
    content: Callable[[], ContentStore | None],
    draining: Callable[[], bool],
) -> None:
    """Add the standard checks to ``http``'s ``/readyz``.

    Args:
        http: The server whose ``/readyz`` runs the checks.
        engine: The current engine (``None`` once stopped).
        adapters: The app's adapters (a live list).
        content: The current content store.
        draining: Whether the dispatcher has stopped taking commands.
    """

    async def database() -> str | None:
        return await database_problem(engine())

    async def adapters_check() -> str | None:
        return adapters_problem(adapters)

    async def content_check() -> str | None:
        return content_problem(content())

    async def accepting() -> str | None:
        # Failing readiness while draining lets a load balancer move traffic away first.
        return "shutting down" if draining() else None

    http.add_readiness_check("database", database)
    http.add_readiness_check("adapters", adapters_check)
    http.add_readiness_check("content", content_check)
    http.add_readiness_check("accepting", accepting)


def _first_line(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()
    return message[0][:200] if message else ""
