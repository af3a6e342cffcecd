"""Scheduled posts: the daily challenge, tips, streak reminders and the weekly recap.

Moderators set posting up with ``/admin setup``, check it with ``/admin schedule``, pause
and resume it, and post on demand with ``/admin post``. The machinery (planner, ledger,
timer, delivery) lives in :mod:`bot.scheduling`; this package is its chat surface, its
settings and its wiring into the app.
"""

from __future__ import annotations

from bot.features.schedule import commands as _commands  # noqa: F401  (registers commands)
from bot.features.schedule import status as _status  # noqa: F401  (registers /admin schedule)
from bot.features.schedule.router import router
from bot.features.schedule.settings import SETTINGS

ORDER = 910

__all__ = ["ORDER", "SETTINGS", "router"]
