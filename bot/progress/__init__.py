"""Pure learning-progress rules (no I/O), like :mod:`bot.streaks` for streaks.

:mod:`.plan` holds step statuses, pacing, the merge union and the view model
:func:`~bot.progress.plan.progress_view`.
"""
