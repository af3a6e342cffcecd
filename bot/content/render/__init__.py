"""Platform-neutral replies for the learning content.

Every builder returns a :class:`~bot.core.models.Reply` that reads well as plain text in
the console and maps onto a Discord embed or Slack blocks within both platforms' limits
(see :mod:`bot.content.render.limits`). Links are plain ``title: url`` lines everywhere,
which both platforms turn into links and a terminal shows as they are.
"""

from __future__ import annotations

from bot.content.render.items import DONE_ACTION, challenge_footer, challenge_reply, tip_reply
from bot.content.render.limits import fit, problems
from bot.content.render.projects import (
    project_list_reply,
    project_reply,
    project_suggestion_reply,
)
from bot.content.render.roadmap import (
    phase_reply,
    roadmap_overview_reply,
    routine_reply,
    routines_reply,
    step_reply,
    unknown_step,
)

__all__ = [
    "DONE_ACTION",
    "challenge_footer",
    "challenge_reply",
    "fit",
    "phase_reply",
    "problems",
    "project_list_reply",
    "project_reply",
    "project_suggestion_reply",
    "roadmap_overview_reply",
    "routine_reply",
    "routines_reply",
    "step_reply",
    "tip_reply",
    "unknown_step",
]
