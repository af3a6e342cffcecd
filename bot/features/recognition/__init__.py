"""Recognition: milestones, badges, celebrations and Discord role rewards (issue 15).

Commands: ``/badges [MEMBER]``; for moderators ``/admin rewards`` (list, on/off per
milestone, announce mode, role rewards). Badges also show in ``/streak`` and on the
streak card.

- :mod:`bot.recognition` holds the pure rules (catalogue, thresholds crossed);
- :mod:`bot.features.awards.earn` stores awards in the transaction of the check-in or
  repair that earned them; :mod:`~bot.features.awards.progress_hook` does the same for
  roadmap steps, projects and phases;
- :mod:`bot.features.awards.celebrate` announces them exactly once, in batches, through
  the posts ledger.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.core.services import Services
from bot.features.awards import progress_hook
from bot.features.awards.celebrate import EXTRAS_KEY, Celebrations
from bot.features.awards.roles import RoleGrants
from bot.features.recognition import admin as _admin  # noqa: F401  (registers /admin rewards)
from bot.features.recognition import badges as _badges  # noqa: F401  (registers /badges)
from bot.features.recognition.router import router
from bot.features.recognition.settings import SETTINGS
from bot.scheduling.model import PostKind

ORDER = 15

Hook = Callable[[], Awaitable[None]]


class Installable(Protocol):
    """What :func:`install` needs of the app (the app itself; no import of it here)."""

    components: list[tuple[Hook, Hook]]

    def require_services(self) -> Services:
        """The started app's services."""
        ...


def install(app: Installable) -> None:
    """Wire celebrations into the scheduler (its sweeper and catch-up) when it starts."""
    services = app.require_services()
    progress_hook.use_services(services)

    async def start() -> None:
        # Every feature is installed before any component starts, so the scheduler
        # exists now if it is installed at all; its catch-up runs after this.
        from bot.scheduling.service import Scheduler

        scheduler = services.extras.get("scheduler")
        if not isinstance(scheduler, Scheduler):
            return
        messenger = services.extras["messenger"]
        roles = RoleGrants(services.sessions, services.clock, messenger, messenger.platforms)
        celebrations = Celebrations(scheduler.poster, roles=roles)
        services.extras[EXTRAS_KEY] = celebrations
        scheduler.resumers[PostKind.CELEBRATION] = celebrations.resume
        scheduler.catch_up_hooks.append(celebrations.run_all)

    async def stop() -> None:
        return None

    app.components.append((start, stop))


__all__ = ["ORDER", "SETTINGS", "install", "router"]
