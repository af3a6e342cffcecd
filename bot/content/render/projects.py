"""Replies for project ideas: one project in full, a suggestion, and a short list."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.render.limits import chunked_fields, clip, fit
from bot.content.render.text import bullets, numbered
from bot.content.schema import Project
from bot.content.store import ContentStore
from bot.core.models import Reply, ReplyField


def _practises(project: Project, store: ContentStore) -> str:
    steps = [store.step(step_id) for step_id in project.steps]
    known = sorted((s for s in steps if s is not None), key=lambda s: s.number)
    unknown = [step_id for step_id, s in zip(project.steps, steps, strict=True) if s is None]
    return ", ".join([f"{s.number} {s.title}" for s in known] + unknown)


def _overview(project: Project, store: ContentStore) -> str:
    return (
        f"{project.summary}\n\n**Level:** {project.level.value} · "
        f"**{len(project.milestones)} milestones** · **Practises:** {_practises(project, store)}"
    )


def _one_line(project: Project) -> str:
    sentence = project.summary.split(". ")[0].rstrip(".")
    return f"**{project.name}** ({project.level.value}, `{project.id}`): {clip(sentence, 200)}."


def project_reply(project: Project, store: ContentStore) -> Reply:
    """A project in full: summary, ordered milestones, stretch goals and stacks."""
    milestones = numbered(f"**{m.title}**: {m.detail}" for m in project.milestones)
    fields = chunked_fields("Milestones", milestones)
    fields += chunked_fields("Stretch goals", bullets(project.stretch))
    fields += chunked_fields("Suggested stacks", bullets(project.stack))
    return fit(
        Reply(
            title=f"Project: {project.name}",
            text=_overview(project, store),
            fields=fields,
            footer="`/project` suggests another idea · `/project STEP` finds ideas for a step",
        )
    )


def project_suggestion_reply(
    chosen: Project,
    others: Sequence[Project],
    store: ContentStore,
    *,
    heading: str = "Project idea",
    note: str | None = None,
) -> Reply:
    """Suggest ``chosen`` with its first milestones, and list ``others`` as alternatives.

    Args:
        chosen: The idea to suggest.
        others: Alternatives listed one line each.
        store: The content, for step names.
        heading: Starts the title (``"Beginner project idea for step 10"``).
        note: Starts the footer, e.g. how many ideas matched.
    """
    footer = f"All milestones and stretch goals: `/project {chosen.id}`"
    first = numbered(f"**{m.title}**: {m.detail}" for m in chosen.milestones[:3])
    fields = chunked_fields("Where to start", first)
    if others:
        fields += chunked_fields("More ideas", bullets(_one_line(p) for p in others))
    return fit(
        Reply(
            title=f"{heading}: {chosen.name}",
            text=_overview(chosen, store),
            fields=fields,
            footer=f"{note} · {footer}" if note else footer,
        )
    )


def project_list_reply(
    projects: Sequence[Project], *, title: str = "Project ideas", text: str = ""
) -> Reply:
    """A list of projects, one line each, grouped by level."""
    fields: list[ReplyField] = []
    for level in ("beginner", "intermediate", "advanced"):
        lines = [_one_line(p) for p in projects if p.level.value == level]
        fields += chunked_fields(level.capitalize(), bullets(lines))
    return fit(
        Reply(
            title=title,
            text=text or "Open one with `/project NAME`.",
            fields=tuple(fields),
        )
    )
