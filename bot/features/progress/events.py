"""The progress hooks, kept importable here; they live in :mod:`bot.progress.events`."""

from __future__ import annotations

from bot.progress.events import (
    Listener,
    ProjectFinished,
    StepFinished,
    on_project_finished,
    on_step_finished,
    project_finished,
    remove_listener,
    step_finished,
)

__all__ = [
    "Listener",
    "ProjectFinished",
    "StepFinished",
    "on_project_finished",
    "on_step_finished",
    "project_finished",
    "remove_listener",
    "step_finished",
]
