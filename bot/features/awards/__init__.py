"""Awards: earning milestones, celebrating them exactly once, what repairs do to badges.

The machinery under ``/badges`` and ``/admin rewards`` (:mod:`bot.features.recognition`),
kept apart so the check-in code can earn and show badges without importing the commands
(which import the check-in code): earning happens inside check-ins and repairs.
"""
