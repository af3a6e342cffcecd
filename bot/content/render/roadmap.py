"""Replies for the plan: the overview, one phase, one step, and the daily routines."""

from __future__ import annotations

from bot.content.render.limits import chunked_fields, clip, fit
from bot.content.render.text import bullets, duration, months, numbered, resource_line
from bot.content.schema import Level, Phase, Routine, Step
from bot.content.store import ContentStore
from bot.core.models import Reply, ReplyField

OVERVIEW_HINT = (
    "Open a step with `/roadmap STEP`: a number or a name, e.g. `/roadmap 5` or "
    "`/roadmap databases`. `/roadmap routine` shows the daily routines."
)


def unknown_step(store: ContentStore, typed: str, suggestions: tuple[str, ...]) -> str:
    """The answer to an unknown step: the closest steps, else every step."""
    if suggestions:
        labels = [(store.step(s), s) for s in suggestions]
        closest = ", ".join(f"`{i}` ({s.title})" if s else f"`{i}`" for s, i in labels)
        return f"I don't know a step called `{typed}`. Closest: {closest}."
    steps = ", ".join(f"{s.number} `{s.id}`" for s in store.steps)
    return f"I don't know a step called `{typed}`. Steps: {steps}. Try `/roadmap` for the plan."


def _months_total(store: ContentStore) -> int:
    return max((p.end_month for p in store.phases), default=0)


def roadmap_overview_reply(store: ContentStore, *, track: str | None = None) -> Reply:
    """The whole plan on one screen: each phase with its months, steps and milestone.

    Args:
        store: The content.
        track: The group's track, shown so members know which challenges they get.
    """
    fields: list[ReplyField] = []
    for phase in store.phases:
        lines = [f"{s.number}. {s.title} (`{s.id}`)" for s in store.steps if s.phase == phase.id]
        project = store.project(phase.milestone_project) if phase.milestone_project else None
        if project is not None:
            lines.append(f"Milestone project: {project.name}")
        name = f"Phase {phase.number} · {months(phase)} · {phase.title}"
        fields += chunked_fields(name, lines or ["(no steps yet)"])
    routines = sorted(store.bundle.routines, key=lambda r: list(Level).index(r.level))
    if routines:
        lines = [
            f"{r.level.value} ({r.months}, {duration(sum(b.minutes for b in r.blocks))} a day)"
            for r in routines
        ]
        fields += chunked_fields("Daily routines: `/roadmap routine LEVEL`", bullets(lines))
    phases, steps = len(store.phases), len(store.steps)
    title = f"Backend roadmap: {phases} phases, {steps} steps"
    total = _months_total(store)
    if total:
        title += f" over {total} months"
    footer = f"This group's track: {track}" if track else None
    return fit(Reply(title=title, text=OVERVIEW_HINT, fields=tuple(fields), footer=footer))


def step_reply(step: Step, store: ContentStore) -> Reply:
    """One step: why it matters, what to learn and practise, resources, checkpoint."""
    phase = store.phase(step.phase)
    text = step.summary
    if phase is not None:
        text += f"\n\n**Phase {phase.number} ({months(phase)}):** {phase.title}"
    fields = chunked_fields("What to learn", bullets(step.learn))
    fields += chunked_fields("Practice", bullets(step.practice))
    fields += chunked_fields("Resources", (resource_line(r) for r in step.resources))
    fields += (ReplyField("Checkpoint", clip(step.checkpoint, 1024)),)
    fields += chunked_fields("Common mistakes", bullets(step.mistakes))
    return fit(
        Reply(
            title=f"Step {step.number} of {len(store.steps)}: {step.title}",
            text=text,
            fields=fields,
            footer=_step_footer(step, store),
        )
    )


def _step_footer(step: Step, store: ContentStore) -> str:
    steps = list(store.steps)
    index = steps.index(step) if step in steps else -1
    parts: list[str] = []
    if index > 0:
        parts.append(f"Previous: {steps[index - 1].number} {steps[index - 1].title}")
    if 0 <= index < len(steps) - 1:
        parts.append(f"Next: {steps[index + 1].number} {steps[index + 1].title}")
    challenges = sum(1 for c in store.bundle.challenges if c.step == step.id)
    parts.append(f"{challenges} challenges · project ideas: `/project {step.id}`")
    return " · ".join(parts)


def phase_reply(phase: Phase, store: ContentStore) -> Reply:
    """One phase: its goal, topics, steps and milestone."""
    steps = [f"{s.number}. {s.title} (`{s.id}`)" for s in store.steps if s.phase == phase.id]
    fields = chunked_fields("Topics", bullets(phase.topics))
    fields += chunked_fields("Steps", steps or ["(no steps yet)"])
    milestone = phase.milestone
    project = store.project(phase.milestone_project) if phase.milestone_project else None
    if project is not None:
        milestone += f"\nProject: {project.name} (`/project {project.id}`)"
    fields += (ReplyField("Milestone", clip(milestone, 1024)),)
    return fit(
        Reply(
            title=f"Phase {phase.number} ({months(phase)}): {phase.title}",
            text=phase.goal,
            fields=fields,
            footer=f"Set as the group's track with `/admin settings track {phase.id}`",
        )
    )


def routine_reply(routine: Routine) -> Reply:
    """One level's daily routine: time blocks and weekly habits."""
    total = sum(b.minutes for b in routine.blocks)
    blocks = [f"**{b.minutes} min**: {b.activity}" for b in routine.blocks]
    fields = chunked_fields("Every day", numbered(blocks))
    fields += chunked_fields("Every week", bullets(routine.weekly))
    return fit(
        Reply(
            title=routine.title,
            text=f"**{routine.months}**\n{routine.summary}",
            fields=fields,
            footer=f"{routine.level.value} · {duration(total)} a day",
        )
    )


def routines_reply(routines: tuple[Routine, ...] | list[Routine]) -> Reply:
    """The routines side by side, each summarised, with how to open one."""
    fields: list[ReplyField] = []
    for routine in routines:
        total = duration(sum(b.minutes for b in routine.blocks))
        name = f"{routine.title} ({routine.months}, {total} a day)"
        fields += chunked_fields(name, [routine.summary])
    return fit(
        Reply(
            title="Daily routines",
            text="Open one with `/roadmap routine LEVEL`, e.g. `/roadmap routine beginner`.",
            fields=tuple(fields) or (ReplyField("Routines", "(none in this content)"),),
        )
    )
