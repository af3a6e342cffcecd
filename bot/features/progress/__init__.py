"""Learning progress: each member's place on the roadmap (``/roadmap me|start|done|skip|reset``).

- :mod:`bot.progress.plan`: pure rules (statuses, pacing, merge union) and the
  view model :func:`~bot.progress.plan.progress_view` a renderer (reply, card) draws from.
- :mod:`bot.progress.events`: "step finished" / "project finished" hooks other features
  (badges) can register (re-exported by :mod:`.events`).
- :mod:`.commands`: the subcommands, called from :mod:`bot.features.roadmap`.
- :mod:`.projects`: ``/project start|me|milestone|drop``, called from
  :mod:`bot.features.projects`; :mod:`.challenges`: ``/done challenge``.
- :mod:`.admin`: ``/admin progress [STEP]`` and the ``progress.*`` settings, registered
  through this package's ``router`` and ``SETTINGS``.
"""

from bot.features.progress.admin import SETTINGS, router

ORDER = 15

__all__ = ["ORDER", "SETTINGS", "router"]
