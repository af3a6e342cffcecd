"""``/roadmap [STEP]``: the 12-month plan, one step, one phase, or the daily routines.

``STEP`` is a step's number, id, title or alias, or a close spelling of one
(``/roadmap 5``, ``/roadmap databases``, ``/roadmap web basics``). Phase ids
(``/roadmap foundations``, ``/roadmap phase 2``) show a phase, and ``/roadmap routine
[LEVEL]`` the daily routines. ``me``, ``start``, ``done``, ``skip`` and ``reset`` are a
member's own progress (:mod:`bot.features.progress.commands`).
"""

from __future__ import annotations

import re

from bot.content.render import (
    phase_reply,
    roadmap_overview_reply,
    routine_reply,
    routines_reply,
    step_reply,
    unknown_step,
)
from bot.content.schema import Phase, normalise_name
from bot.content.store import ContentStore
from bot.content.tracks import effective_track
from bot.core.commands import Param, ParamKind, Router
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply
from bot.features.progress import commands as progress

ORDER = 10

router = Router()

_ROUTINE = re.compile(r"^routines?\b\s*(.*)$")
_PHASE = re.compile(r"^phase\s*(\d+)$")


@router.completer("roadmap.steps")
async def complete_steps(ctx: CommandContext, prefix: str) -> list[str]:
    """Step ids whose number, id, title or an alias starts with what has been typed."""
    return step_completions(ctx.services.content, prefix)


def step_completions(store: ContentStore, prefix: str) -> list[str]:
    """Step ids matching ``prefix`` (every step for an empty prefix), in plan order."""
    typed = normalise_name(prefix)
    matches: list[str] = []
    for step in store.steps:
        names = [step.id, step.title, str(step.number), *step.aliases]
        words = {w for name in names for w in normalise_name(name).split()}
        if not typed or any(normalise_name(n).startswith(typed) for n in names) or typed in words:
            matches.append(step.id)
    return matches[:25]


@router.command(
    "roadmap",
    "The 12-month backend plan, or one step of it (number or name).",
    params=(
        Param(
            "step",
            ParamKind.TEXT,
            "A step (5, databases), routine, me, or start|done|skip|reset STEP.",
            autocomplete="roadmap.steps",
        ),
    ),
    examples=("", "databases", "5", "routine beginner", "me", "done databases"),
)
async def roadmap(ctx: CommandContext, step: str | None = None) -> Reply:
    """Show the overview, or resolve ``step`` to a routine, a phase or a step."""
    store = ctx.services.content
    if step is None:
        track, _note = effective_track(store, (await ctx.settings())["track"])
        return roadmap_overview_reply(store, track=track)
    query = step.strip().lower()
    verb, _, rest = step.strip().partition(" ")
    if verb.lower() in progress.VERBS:
        return await progress.handle(ctx, verb.lower(), rest.strip())
    routine = _ROUTINE.match(query)
    if routine:
        return _routine(store, routine.group(1).strip())
    phase = _phase(store, query)
    if phase is not None:
        return phase_reply(phase, store)
    found = store.find_step(query)
    if found.match is not None:
        return step_reply(found.match, store)
    raise UserError(unknown_step(store, step.strip(), found.suggestions))


def _phase(store: ContentStore, query: str) -> Phase | None:
    number = _PHASE.match(query)
    for phase in store.phases:
        if phase.id == query or (number and phase.number == int(number.group(1))):
            return phase
    return None


def _routine(store: ContentStore, level: str) -> Reply:
    routines = store.bundle.routines
    if not level:
        return routines_reply(routines)
    for routine in routines:
        if routine.level.value.startswith(level):
            return routine_reply(routine)
    levels = ", ".join(r.level.value for r in routines)
    raise UserError(f"There is no `{level}` routine. Routines: {levels}.")
