"""Learning progress: each member's place on the roadmap (``/roadmap me|start|done|skip|reset``).

- :mod:`bot.progress.plan`: pure rules (statuses, pacing, merge union) and the
  view model :func:`~bot.progress.plan.progress_view` a renderer (reply, card) draws from.
- :mod:`.events`: "step finished" hooks other features (badges) can register.
- :mod:`.commands`: the subcommands, called from :mod:`bot.features.roadmap`.
"""
