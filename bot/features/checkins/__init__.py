"""Check-ins, streaks and leaderboards, with the moderators' streak tools.

Commands: ``/done``, ``/streak``, ``/settings``, ``/leaderboard``, and ``/admin streak``,
``/admin amnesty``, ``/admin audit``, ``/admin export`` for moderators.

The streak rules are pure code in :mod:`bot.streaks`; this package stores check-ins
(through the batching :mod:`~bot.features.checkins.writer`), keeps the denormalised
figures exact (:mod:`~bot.features.checkins.recording`) and answers the commands.
"""

from __future__ import annotations

from bot.features.checkins import (  # noqa: F401  (each module registers its commands)
    admin_streaks,
    done,
    export,
    leaderboard,
    member_settings,
    moderation,
    streak_view,
)
from bot.features.checkins.router import router
from bot.features.checkins.rules import SETTINGS

ORDER = 10

__all__ = ["ORDER", "SETTINGS", "router"]
