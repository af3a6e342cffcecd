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

from bot.core.messenger import Messenger
from bot.core.services import Services
from bot.features.awards import progress_hook
from bot.features.awards.celebrate import Celebrations
from bot.features.awards.roles import RoleGrants
from bot.features.recognition import admin as _admin  # noqa: F401  (registers /admin rewards)
from bot.features.recognition import badges as _badges  # noqa: F401  (registers /badges)
from bot.features.recognition.router import router
from bot.features.recognition.settings import SETTINGS
from bot.scheduling.model import PostKind
from bot.scheduling.service import Scheduler

ORDER = 15


def build_recognition(
    services: Services, scheduler: Scheduler, messenger: Messenger
) -> Celebrations:
    """Build celebrations and role rewards, and hook them into the scheduler.

    The sweeper finishes celebration rows whose owner died, and every catch-up pass (start,
    safety pass) announces what is still pending. Called by the composition root.
    """
    progress_hook.use_services(services)
    roles = RoleGrants(services.sessions, services.clock, messenger, messenger.platforms)
    celebrations = Celebrations(scheduler.poster, roles=roles)
    scheduler.resumers[PostKind.CELEBRATION] = celebrations.resume
    scheduler.catch_up_hooks.append(celebrations.run_all)
    return celebrations


__all__ = ["ORDER", "SETTINGS", "build_recognition", "router"]
