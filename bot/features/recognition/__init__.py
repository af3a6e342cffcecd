"""Recognition: milestones, badges, celebrations and Discord role rewards (issue 15).

Commands: ``/badges [MEMBER]``; for moderators ``/admin rewards`` (list, on/off per
milestone, announce mode, role rewards). Badges also show in ``/streak`` and on the
streak card.

- :mod:`bot.recognition` holds the pure rules (catalogue, thresholds crossed);
- :mod:`.earn` stores awards in the transaction of the check-in or repair that earned
  them; :mod:`.progress_hook` does the same for roadmap steps and phases;
- :mod:`.celebrate` announces them exactly once, in batches, through the posts ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.features.recognition import badges as _badges  # noqa: F401  (registers /badges)
from bot.features.recognition import progress_hook
from bot.features.recognition.celebrate import EXTRAS_KEY, Celebrations
from bot.features.recognition.router import router
from bot.features.recognition.settings import SETTINGS
from bot.scheduling.model import PostKind

if TYPE_CHECKING:
    from bot.app import App

ORDER = 15


def install(app: App) -> None:
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
        celebrations = Celebrations(scheduler.poster)
        services.extras[EXTRAS_KEY] = celebrations
        scheduler.resumers[PostKind.CELEBRATION] = celebrations.resume
        scheduler.catch_up_hooks.append(celebrations.run_all)

    async def stop() -> None:
        return None

    app.components.append((start, stop))


__all__ = ["ORDER", "SETTINGS", "install", "router"]
