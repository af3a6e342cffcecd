"""``/roadmap me card``: the member's plan as a picture (:mod:`bot.cards.progress`).

The card is an extra on top of the text reply of ``/roadmap me``: when the group switched
cards off, or drawing fails, the member gets the text reply alone.
"""

from __future__ import annotations

from dataclasses import replace

from bot.cards import ProgressCard, ProgressPhase, ProgressStep, StepState
from bot.cards.progress import alt_text, render_progress
from bot.cards.service import render_image
from bot.core.context import CommandContext
from bot.core.models import Reply
from bot.features.cards import cards_enabled
from bot.progress.plan import ProgressView, Status

_STATE = {
    Status.DONE: StepState.DONE,
    Status.SKIPPED: StepState.SKIPPED,
    Status.IN_PROGRESS: StepState.IN_PROGRESS,
    Status.NOT_STARTED: StepState.NOT_STARTED,
}


def progress_card(view: ProgressView, name: str) -> ProgressCard:
    """The picture-card model of ``view`` for the member called ``name``."""
    phases = tuple(
        ProgressPhase(
            phase.title,
            tuple(ProgressStep(step.number, _STATE[step.status]) for step in phase.steps),
        )
        for phase in view.phases
    )
    current = f"{view.current.number}. {view.current.title}" if view.current else None
    return ProgressCard(name, phases, current=current)


async def with_progress_card(ctx: CommandContext, reply: Reply, view: ProgressView) -> Reply:
    """``reply`` with the progress card attached, if the group allows cards."""
    if not await cards_enabled(ctx):
        return reply
    card = progress_card(view, ctx.member.display_name)
    image = await render_image(render_progress, alt_text, card, "roadmap.png")
    return replace(reply, image=image)
